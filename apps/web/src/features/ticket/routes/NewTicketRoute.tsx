import { useMutation, useQuery } from '@apollo/client/react';
import {
  Autocomplete,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { FormActions } from '@/components/FormActions';
import { useCustomerSearch } from '@/features/customers';
import {
  CreateTicketDocument,
  CustomerPanelDocument,
  DirectoryDocument,
  type Channel,
  type MessageKind,
  type Priority,
} from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';
import { useSession } from '@/app/session';

const optionLabel = (c: { id: string; name: string }) => `${c.name} (#${c.id})`;

/** Open a ticket for a customer's contact found by search. */
export function NewTicketRoute() {
  const navigate = useNavigate();
  const { user } = useSession();
  const [customerText, setCustomerText] = useState('');
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [contactId, setContactId] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<MessageKind>('customer_message');
  const [channel, setChannel] = useState<Channel>('phone');
  const [priority, setPriority] = useState<Priority>('normal');
  const [teamId, setTeamId] = useState<string | null>(user?.teamId ?? null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const { customers: found } = useCustomerSearch(customerText);
  const [picked, setPicked] = useState<(typeof found)[number] | null>(null);
  // the picked customer stays an option while the search text shows its label
  const customers = picked && !found.some((c) => c.id === picked.id) ? [picked, ...found] : found;
  const pick = (c: (typeof customers)[number] | null) => {
    setPicked(c);
    setCustomerId(c?.id ?? null);
    setContactId(c?.contacts[0]?.id ?? null);
  };
  const directory = useQuery(DirectoryDocument, { fetchPolicy: 'cache-first' });
  const [create, { loading }] = useMutation(CreateTicketDocument, {
    refetchQueries: ['ViewCounts'],
  });
  useEffect(() => {
    document.title = 'New ticket · Staydesk';
  }, []);
  // from the command palette: /tickets/new?customer=<id> starts with that customer picked
  const [params] = useSearchParams();
  const preset = params.get('customer');
  const presetCustomer = useQuery(CustomerPanelDocument, {
    variables: { id: preset ?? '' },
    skip: !preset,
  });
  const presetData = presetCustomer.data?.customer;
  useEffect(() => {
    if (presetData) {
      pick(presetData);
      setCustomerText(optionLabel(presetData));
    }
    // once per loaded preset (pick only sets state)
  }, [presetData]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    const local: Record<string, string> = {};
    if (!customerId) local.customer = 'Search for the customer and pick one.';
    if (!contactId) local.requesterId = 'Pick who asked.';
    if (!subject.trim()) local.subject = 'Write a subject.';
    if (Object.keys(local).length) {
      setErrors(local);
      return;
    }
    try {
      const r = await create({
        variables: {
          input: {
            requesterId: contactId!,
            customerId,
            subject,
            channel,
            priority,
            teamId,
            assigneeId: user?.id,
            message: body.trim() ? { body, kind } : null,
          },
        },
      });
      if (r.data) navigate(`/tickets/${r.data.createTicket.id}`);
    } catch (err) {
      const p = apiProblem(err);
      if (p?.code === 'BAD_USER_INPUT' && p.field) {
        const f = p.field.replace(/^input\./, '').replace(/^message\./, 'message');
        setErrors({ [f === 'customerId' ? 'customer' : f]: fieldMessage(p) });
      } else setFormError(p?.message ?? 'The ticket was not created.');
    }
  };

  return (
    <Stack p={{ base: 'sm', sm: 'lg' }} maw={760}>
      <Title order={1} size="h2">
        New ticket
      </Title>
      <Paper withBorder p="lg" radius="md" component="form" onSubmit={submit} noValidate>
        <Stack>
          <Autocomplete
            label="Customer"
            description="Name, domain or the start of a contact's e-mail"
            placeholder="Search customers"
            value={customerText}
            onChange={(v) => {
              setCustomerText(v);
              const match = customers.find((c) => optionLabel(c) === v);
              if (match) pick(match);
              else if (picked && v !== optionLabel(picked)) pick(null);
            }}
            data={customers.map((c) => ({ value: optionLabel(c), label: c.name }))}
            onOptionSubmit={(v) => {
              const match = customers.find((c) => optionLabel(c) === v);
              if (match) pick(match);
            }}
            error={errors.customer}
            filter={({ options }) => options}
          />
          <Select
            label="Requester"
            placeholder={picked ? 'Pick a contact' : 'Pick the customer first'}
            data={(picked?.contacts ?? []).map((p) => ({
              value: p.id,
              label: `${p.name} <${p.email}>`,
            }))}
            value={contactId}
            onChange={setContactId}
            disabled={!picked}
            error={errors.requesterId}
          />
          <TextInput
            label="Subject"
            value={subject}
            onChange={(e) => setSubject(e.currentTarget.value)}
            error={errors.subject}
            maxLength={500}
          />
          <Group grow wrap="wrap">
            <Select
              label="Channel"
              data={['phone', 'email', 'chat', 'web', 'social'].map((v) => ({
                value: v,
                label: v.charAt(0).toUpperCase() + v.slice(1),
              }))}
              value={channel}
              onChange={(v) => v && setChannel(v as Channel)}
              allowDeselect={false}
              error={errors.channel}
            />
            <Select
              label="Priority"
              data={['urgent', 'high', 'normal', 'low'].map((v) => ({
                value: v,
                label: v.charAt(0).toUpperCase() + v.slice(1),
              }))}
              value={priority}
              onChange={(v) => v && setPriority(v as Priority)}
              allowDeselect={false}
              error={errors.priority}
            />
            <Select
              label="Team"
              data={(directory.data?.teams ?? []).map((t) => ({ value: t.id, label: t.name }))}
              value={teamId}
              onChange={setTeamId}
              clearable
              error={errors.teamId}
            />
          </Group>
          <SegmentedControl
            aria-label="First message"
            value={kind}
            onChange={(v) => setKind(v as MessageKind)}
            data={[
              { value: 'customer_message', label: 'What the customer said' },
              { value: 'public_reply', label: 'We write first' },
            ]}
          />
          <Textarea
            label="First message"
            autosize
            minRows={4}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            error={errors.message ?? errors.body}
          />
          {formError && (
            <Text c="red" role="alert">
              {formError}
            </Text>
          )}
          <FormActions onCancel={() => navigate(-1)} loading={loading}>
            Create ticket
          </FormActions>
        </Stack>
      </Paper>
    </Stack>
  );
}
