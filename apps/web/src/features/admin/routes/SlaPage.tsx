import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Table,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { FormActions } from '@/components/FormActions';
import {
  AdminCreateSlaPolicyDocument,
  AdminDeactivateSlaPolicyDocument,
  AdminSlaPoliciesDocument,
  AdminUpdateSlaPolicyDocument,
  type AdminSlaPolicyFragment,
  type Channel,
  type Priority,
  type Tier,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { humanize } from '@/lib/format';
import { AdminForm } from '../components/AdminForm';
import { AdminTable, PageIntro, RowActions, RowButton } from '../components/AdminTable';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { formatTarget, useFieldErrors } from '../hooks/useFieldErrors';

const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];
const CHANNELS: Channel[] = ['email', 'phone', 'chat', 'web', 'social'];
const TIERS: Tier[] = ['enterprise', 'pro', 'starter', 'free'];
const ANY = '__any';
const options = (values: string[]) => [
  { value: ANY, label: 'Any' },
  ...values.map((v) => ({ value: v, label: humanize(v) })),
];

/** SLA policies: targets per priority (and channel/tier), added, changed and retired. */
export function SlaPage() {
  const { data, error } = useQuery(AdminSlaPoliciesDocument);
  const [editing, setEditing] = useState<AdminSlaPolicyFragment | 'new' | null>(null);
  const [retiring, setRetiring] = useState<AdminSlaPolicyFragment | null>(null);
  const [deactivate, { loading: retiringNow }] = useMutation(AdminDeactivateSlaPolicyDocument, {
    refetchQueries: ['AdminSlaPolicies'],
  });
  useEffect(() => {
    document.title = 'SLA policies · Admin · Staydesk';
  }, []);
  const policies = [...(data?.slaPolicies ?? [])].sort(
    (a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority),
  );
  return (
    <Stack gap="md">
      <PageIntro action="New policy" onAction={() => setEditing('new')}>
        Each new ticket gets the active policy that fits its priority, channel and customer tier
        best. Changes apply to new tickets; open tickets keep their due times.
      </PageIntro>
      {error && <Alert color="red">{apiProblem(error)?.message}</Alert>}
      <AdminTable
        columns={['Policy', 'Priority', 'Channel', 'Tier', 'First response', 'Resolution', 'Clock']}
        minWidth={760}
        empty={data && policies.length === 0 && 'No active policies: tickets get no due times.'}
      >
        {policies.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td fw={500}>{p.name}</Table.Td>
            <Table.Td>{humanize(p.priority)}</Table.Td>
            <Table.Td>{p.channel ? humanize(p.channel) : 'Any'}</Table.Td>
            <Table.Td>{p.tier ? humanize(p.tier) : 'Any'}</Table.Td>
            <Table.Td>{formatTarget(p.firstResponseMinutes)}</Table.Td>
            <Table.Td>{formatTarget(p.resolutionMinutes)}</Table.Td>
            <Table.Td>
              <Badge variant="light" color={p.businessHours ? 'indigo' : 'gray'}>
                {p.businessHours ? 'Business hours' : 'Around the clock'}
              </Badge>
            </Table.Td>
            <RowActions>
              <RowButton verb="Edit" name={p.name} onClick={() => setEditing(p)} />
              <RowButton verb="Deactivate" name={p.name} danger onClick={() => setRetiring(p)} />
            </RowActions>
          </Table.Tr>
        ))}
      </AdminTable>
      <Modal
        opened={!!editing}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New SLA policy' : `Edit ${editing?.name ?? ''}`}
      >
        {editing && (
          <PolicyForm policy={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        )}
      </Modal>
      <ConfirmDialog
        opened={!!retiring}
        onClose={() => setRetiring(null)}
        title={`Deactivate ${retiring?.name ?? ''}?`}
        confirm="Deactivate"
        loading={retiringNow}
        onConfirm={() => deactivate({ variables: { id: retiring!.id } })}
        done={`${retiring?.name ?? ''} deactivated.`}
      >
        New {retiring ? humanize(retiring.priority).toLowerCase() : ''} tickets will no longer get
        this policy&apos;s due times. Tickets that have it keep their due times.
      </ConfirmDialog>
    </Stack>
  );
}

function PolicyForm({ policy, onDone }: { policy: AdminSlaPolicyFragment | null; onDone(): void }) {
  const [name, setName] = useState(policy?.name ?? '');
  const [priority, setPriority] = useState<Priority>(policy?.priority ?? 'normal');
  const [channel, setChannel] = useState<string>(policy?.channel ?? ANY);
  const [tier, setTier] = useState<string>(policy?.tier ?? ANY);
  const [first, setFirst] = useState<number | string>(policy?.firstResponseMinutes ?? 60);
  const [resolution, setResolution] = useState<number | string>(policy?.resolutionMinutes ?? 1440);
  const [businessHours, setBusinessHours] = useState(policy?.businessHours ?? false);
  const { errors, formError, handleSubmit, textProps } = useFieldErrors();
  const [create, c] = useMutation(AdminCreateSlaPolicyDocument, {
    refetchQueries: ['AdminSlaPolicies'],
  });
  const [update, u] = useMutation(AdminUpdateSlaPolicyDocument, {
    refetchQueries: ['AdminSlaPolicies'],
  });
  const submit = handleSubmit(async () => {
    const input = {
      name,
      priority,
      channel: channel === ANY ? null : (channel as Channel),
      tier: tier === ANY ? null : (tier as Tier),
      firstResponseMinutes: Number(first),
      resolutionMinutes: Number(resolution),
      businessHours,
    };
    if (policy) await update({ variables: { id: policy.id, input } });
    else await create({ variables: { input } });
    notifications.show({ message: `${name} saved.`, color: 'teal' });
    onDone();
  }, 'The policy was not saved.');
  return (
    <AdminForm onSubmit={submit} error={formError}>
      <TextInput label="Name" {...textProps('name', name, setName)} data-autofocus />
      <Select
        label="Priority"
        data={PRIORITIES.map((p) => ({ value: p, label: humanize(p) }))}
        value={priority}
        onChange={(v) => v && setPriority(v as Priority)}
        error={errors.priority}
        allowDeselect={false}
      />
      <Group grow>
        <Select
          label="Channel"
          data={options(CHANNELS)}
          value={channel}
          onChange={(v) => setChannel(v ?? ANY)}
          error={errors.channel}
          allowDeselect={false}
        />
        <Select
          label="Customer tier"
          data={options(TIERS)}
          value={tier}
          onChange={(v) => setTier(v ?? ANY)}
          error={errors.tier}
          allowDeselect={false}
        />
      </Group>
      <Group grow align="flex-start">
        <NumberInput
          label="First response (minutes)"
          value={first}
          onChange={setFirst}
          min={1}
          allowDecimal={false}
          error={errors.firstResponseMinutes}
          description={Number(first) > 0 ? formatTarget(Number(first)) : ' '}
        />
        <NumberInput
          label="Resolution (minutes)"
          value={resolution}
          onChange={setResolution}
          min={1}
          allowDecimal={false}
          error={errors.resolutionMinutes}
          description={Number(resolution) > 0 ? formatTarget(Number(resolution)) : ' '}
        />
      </Group>
      <Switch
        label="Count business hours only (of the ticket's team calendar)"
        checked={businessHours}
        onChange={(e) => setBusinessHours(e.currentTarget.checked)}
      />
      <FormActions onCancel={onDone} loading={c.loading || u.loading}>
        {policy ? 'Save policy' : 'Create policy'}
      </FormActions>
    </AdminForm>
  );
}
