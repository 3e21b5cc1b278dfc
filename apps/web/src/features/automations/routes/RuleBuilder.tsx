// Over 400 lines on purpose: the rule form and its dry-run result share the form state; the condition rows are in RuleConditions.tsx.
import { useApolloClient, useMutation } from '@apollo/client/react';
import {
  Alert,
  Button,
  Divider,
  Group,
  List,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import {
  CreateAutomationRuleDocument,
  DeleteAutomationRuleDocument,
  FindTicketByNumberDocument,
  TestAutomationRuleDocument,
  UpdateAutomationRuleDocument,
  type Priority,
  type TestAutomationRuleQuery,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { humanize } from '@/lib/format';
import {
  CHOICES,
  FIELDS,
  OPERATOR_LABELS,
  TRIGGERS,
  inputOf,
  type RuleDraft,
} from '../components/rule-form';
import { ConditionsEditor } from './RuleConditions';

type TestResult = TestAutomationRuleQuery['testAutomationRule'];

export function RuleBuilder({
  initial,
  teams,
  users,
  customFields,
  onDone,
}: {
  initial: RuleDraft;
  teams: { id: string; name: string }[];
  users: { id: string; name: string; role: string }[];
  customFields: { key: string; label: string; type: string; options: string[] }[];
  onDone(): void;
}) {
  const client = useApolloClient();
  const [d, setD] = useState<RuleDraft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [ticketNumber, setTicketNumber] = useState('');
  const [test, setTest] = useState<TestResult | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const refetch = { refetchQueries: ['AutomationRules'] };
  const [create, createState] = useMutation(CreateAutomationRuleDocument, refetch);
  const [update, updateState] = useMutation(UpdateAutomationRuleDocument, refetch);
  const [remove] = useMutation(DeleteAutomationRuleDocument, refetch);
  const set = (patch: Partial<RuleDraft>) => setD((x) => ({ ...x, ...patch }));

  const fieldOptions = useMemo(
    () => [
      ...FIELDS.filter((f) => !!f.time === (d.trigger === 'time') || !f.time).map((f) => ({
        value: f.value,
        label: f.label,
      })),
      ...customFields.map((f) => ({ value: `custom.${f.key}`, label: `Field: ${f.label}` })),
    ],
    [d.trigger, customFields],
  );
  const teamOptions = teams.map((t) => ({ value: t.id, label: t.name }));
  const userOptions = users
    .filter((u) => ['agent', 'team_lead', 'admin'].includes(u.role))
    .map((u) => ({ value: u.id, label: u.name }));

  const problem = (err: unknown) => {
    const p = apiProblem(err);
    if (p?.field) setErrors({ [p.field]: p.message });
    else setFormError(p?.message ?? 'Not saved.');
  };

  const save = async () => {
    setErrors({});
    setFormError(null);
    try {
      if (d.id)
        await update({
          variables: { id: d.id, input: inputOf(d), expectedVersion: d.version },
        });
      else await create({ variables: { input: inputOf(d) } });
      notifications.show({ color: 'teal', message: `Rule “${d.name}” saved` });
      onDone();
    } catch (err) {
      problem(err);
    }
  };

  const runTest = async () => {
    setTest(null);
    setTestError(null);
    setErrors({});
    const n = ticketNumber.trim().replace(/^#/, '');
    if (!/^\d+$/.test(n)) {
      setTestError('Give a ticket number, like 1042.');
      return;
    }
    setTesting(true);
    try {
      const found = await client.query({
        query: FindTicketByNumberDocument,
        variables: { search: `#${n}` },
        fetchPolicy: 'network-only',
      });
      const t = found.data?.tickets.edges.find((e) => String(e.node.number) === n)?.node;
      if (!t) {
        setTestError(`There is no ticket #${n} you can see.`);
        return;
      }
      const r = await client.query({
        query: TestAutomationRuleDocument,
        variables: { ticketId: t.id, input: inputOf(d) },
        fetchPolicy: 'network-only',
      });
      if (r.data) setTest(r.data.testAutomationRule);
    } catch (err) {
      const p = apiProblem(err);
      if (p?.field && p.field !== 'ticketId') setErrors({ [p.field]: p.message });
      setTestError(p?.message ?? 'The test did not run.');
    } finally {
      setTesting(false);
    }
  };

  return (
    <Stack gap="md">
      <TextInput
        label="Name"
        value={d.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        error={errors.name}
        required
        data-autofocus
      />
      <Select
        label="When"
        data={TRIGGERS}
        value={d.trigger}
        allowDeselect={false}
        error={errors.trigger}
        onChange={(v) => {
          const trigger = v ?? 'ticket_created';
          const conditions = d.conditions.filter(
            (c) => !FIELDS.find((f) => f.value === c.field)?.time,
          );
          if (trigger === 'time')
            conditions.unshift({ field: 'pending_hours', operator: 'at_least', values: ['72'] });
          set({ trigger, conditions });
        }}
      />
      <Group>
        <Switch
          label="Active"
          checked={d.active}
          onChange={(e) => set({ active: e.currentTarget.checked })}
        />
        <Switch
          label="Stop the rules after this one when it fires"
          checked={d.stopProcessing}
          onChange={(e) => set({ stopProcessing: e.currentTarget.checked })}
        />
      </Group>

      <ConditionsEditor
        d={d}
        set={set}
        errors={errors}
        fieldOptions={fieldOptions}
        teamOptions={teamOptions}
        customFields={customFields}
      />

      <Divider label="Then" labelPosition="left" />
      {errors.actions && (
        <Text c="red" size="sm" role="alert">
          {errors.actions}
        </Text>
      )}
      <Group grow wrap="wrap" align="flex-start">
        <Select
          label="Set priority"
          data={CHOICES.priority.map((p) => ({ value: p, label: humanize(p) }))}
          value={d.priority}
          onChange={(v) => set({ priority: v as Priority | null })}
          clearable
          error={errors['actions.priority']}
        />
        <Select
          label="Set team"
          data={teamOptions}
          value={d.teamId}
          onChange={(v) => set({ teamId: v })}
          clearable
          error={errors['actions.teamId']}
        />
        <Select
          label="Assign to"
          data={userOptions}
          value={d.assigneeId}
          onChange={(v) => set({ assigneeId: v })}
          clearable
          searchable
          error={errors['actions.assigneeId']}
        />
      </Group>
      <Group grow wrap="wrap" align="flex-start">
        <TagsInput
          label="Add tags"
          value={d.addTags}
          onChange={(v) => set({ addTags: v })}
          error={errors['actions.addTags']}
        />
        <TagsInput
          label="Remove tags"
          value={d.removeTags}
          onChange={(v) => set({ removeTags: v })}
          error={errors['actions.removeTags']}
        />
      </Group>
      <Textarea
        label="Add an internal note"
        description="Placeholders: {{requester.first_name}}, {{ticket.number}}, {{customer.name}}, {{agent.name}} (the assignee)…"
        value={d.note}
        onChange={(e) => set({ note: e.currentTarget.value })}
        error={errors['actions.note']}
        autosize
        minRows={2}
      />
      <Select
        label="Send an e-mail to"
        data={[
          { value: 'requester', label: 'The requester' },
          { value: 'account_manager', label: 'The account manager' },
          { value: 'assignee', label: 'The assignee' },
        ]}
        value={d.emailTo}
        onChange={(v) => set({ emailTo: v })}
        clearable
        error={errors['actions.emailTo']}
      />
      {d.emailTo && (
        <>
          <TextInput
            label="E-mail subject"
            value={d.emailSubject}
            onChange={(e) => set({ emailSubject: e.currentTarget.value })}
            error={errors['actions.emailSubject']}
          />
          <Textarea
            label="E-mail text"
            value={d.emailBody}
            onChange={(e) => set({ emailBody: e.currentTarget.value })}
            error={errors['actions.emailBody']}
            autosize
            minRows={3}
          />
        </>
      )}
      <Group grow align="flex-start">
        <NumberInput
          label="Create a follow-up in (hours)"
          description="For the account manager, else the assignee"
          min={0}
          value={d.followUpInHours}
          onChange={(v) => set({ followUpInHours: v === '' ? '' : Number(v) })}
          error={errors['actions.followUpInHours']}
        />
        <TextInput
          label="Follow-up note"
          value={d.followUpNote}
          onChange={(e) => set({ followUpNote: e.currentTarget.value })}
          disabled={d.followUpInHours === ''}
          error={errors['actions.followUpNote']}
        />
      </Group>

      <Divider label="Test against a ticket (nothing is changed)" labelPosition="left" />
      <Group align="flex-end">
        <TextInput
          label="Ticket number"
          placeholder="1042"
          value={ticketNumber}
          onChange={(e) => setTicketNumber(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void runTest();
          }}
          w={160}
        />
        <Button variant="default" onClick={() => void runTest()} loading={testing}>
          Test rule
        </Button>
      </Group>
      {testError && (
        <Alert color="red" role="alert">
          {testError}
        </Alert>
      )}
      {test && (
        <TestResultView
          result={test}
          names={Object.fromEntries([
            ...teams.map((t) => [t.id, t.name] as const),
            ...users.map((u) => [u.id, u.name] as const),
          ])}
        />
      )}

      {formError && (
        <Alert color="red" role="alert" title="Not saved">
          {formError}
        </Alert>
      )}
      <Group justify="space-between">
        {d.id ? (
          <Button
            variant="subtle"
            color="red"
            onClick={() =>
              void remove({ variables: { id: d.id! } }).then(() => {
                notifications.show({ message: `Rule “${d.name}” deleted` });
                onDone();
              })
            }
          >
            Delete rule
          </Button>
        ) : (
          <span />
        )}
        <Group gap="xs">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={createState.loading || updateState.loading}>
            Save rule
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

function TestResultView({ result, names }: { result: TestResult; names: Record<string, string> }) {
  const show = (field: string, v: string | null | undefined) =>
    !v ? 'none' : field === 'team' || field === 'assignee' ? (names[v] ?? v) : v;
  return (
    <Paper withBorder p="sm" radius="sm" aria-live="polite">
      <Stack gap="xs">
        <Text fw={700} c={result.matched ? 'teal' : 'dimmed'}>
          {result.matched ? 'The rule matches this ticket' : 'The rule does not match this ticket'}
        </Text>
        <List size="sm" spacing={2} aria-label="Conditions">
          {result.conditions.map((c, i) => (
            <List.Item key={i} icon={<span aria-hidden>{c.matched ? '✓' : '✗'}</span>}>
              {FIELDS.find((f) => f.value === c.field)?.label ?? c.field}{' '}
              {OPERATOR_LABELS[c.operator]} {c.values.join(', ')} —{' '}
              <Text span c="dimmed" size="sm">
                {c.matched ? 'holds' : 'does not hold'}: {c.actual}
              </Text>
            </List.Item>
          ))}
        </List>
        <Text size="sm" fw={600}>
          {result.matched ? 'It would:' : 'If it matched, it would:'}
        </Text>
        <List size="sm" spacing={2} aria-label="Changes">
          {result.changes.map((c) => (
            <List.Item key={c.field}>
              {humanize(c.field)}: {show(c.field, c.from)} → {show(c.field, c.to)}
            </List.Item>
          ))}
          {result.note && <List.Item>Add the note “{result.note}”</List.Item>}
          {result.email && (
            <List.Item>
              E-mail {result.email.recipient ?? `nobody (no ${humanize(result.email.to)})`}: “
              {result.email.subject}”
            </List.Item>
          )}
          {result.followUpDueAt && <List.Item>Create a follow-up</List.Item>}
          {!result.changes.length && !result.note && !result.email && !result.followUpDueAt && (
            <List.Item>Change nothing</List.Item>
          )}
        </List>
      </Stack>
    </Paper>
  );
}
