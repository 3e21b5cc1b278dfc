import { useMutation, useQuery } from '@apollo/client/react';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Divider,
  Drawer,
  Group,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  AdminCreateTeamDocument,
  AdminSetTeamMailSenderDocument,
  AdminTeamsDocument,
  AdminUpdateTeamDocument,
  type AdminTeamFragment,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { asForm, useFieldErrors } from '../hooks/useFieldErrors';

const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
type Day = (typeof DAYS)[number][0];
interface DayHours {
  open: boolean;
  from: string;
  to: string;
}
type Week = Record<Day, DayHours>;

const timeZones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC', 'Europe/Berlin', 'America/New_York'];
};

function weekOf(hours: Record<string, unknown> | null): Week {
  const week = {} as Week;
  for (const [d] of DAYS) {
    const ranges = (hours?.[d] as [string, string][] | undefined) ?? [];
    week[d] = ranges.length
      ? { open: true, from: ranges[0][0], to: ranges[ranges.length - 1][1] }
      : { open: false, from: '09:00', to: '17:00' };
  }
  return week;
}

/** One range per open day (the first start to the last end of what was stored). */
function hoursOf(week: Week): Record<string, [string, string][]> {
  return Object.fromEntries(
    DAYS.filter(([d]) => week[d].open).map(([d]) => [d, [[week[d].from, week[d].to]]]),
  );
}

function summary(t: AdminTeamFragment): string {
  if (!t.businessHours) return 'Around the clock';
  const open = DAYS.filter(([d]) => (t.businessHours as Record<string, unknown>)[d]);
  return `${open.length} days a week · ${t.timezone}`;
}

/** Teams: privacy, the business-hours calendar with holidays, and the sender of replies. */
export function TeamsPage() {
  const { data, error } = useQuery(AdminTeamsDocument);
  const [editing, setEditing] = useState<AdminTeamFragment | 'new' | null>(null);
  useEffect(() => {
    document.title = 'Teams · Admin · Staydesk';
  }, []);
  const leads = (data?.users.edges ?? [])
    .map((e) => e.node)
    .filter((u) => u.role === 'team_lead' || u.role === 'admin');
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Text c="dimmed" size="sm" maw={640}>
          A private team&apos;s internal notes are seen by its members and admins only. SLA policies
          that count business hours use the team&apos;s calendar and skip its holidays.
        </Text>
        <Button onClick={() => setEditing('new')}>New team</Button>
      </Group>
      {error && <Alert color="red">{apiProblem(error)?.message}</Alert>}
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                <Table.Th>Visibility</Table.Th>
                <Table.Th>Business hours</Table.Th>
                <Table.Th>Holidays</Table.Th>
                <Table.Th>Replies sent as</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(data?.teams ?? []).map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td fw={500}>{t.name}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={t.isPrivate ? 'grape' : 'gray'}>
                      {t.isPrivate ? 'Private' : 'Open'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{summary(t)}</Table.Td>
                  <Table.Td>{t.holidays.length || '–'}</Table.Td>
                  <Table.Td>
                    {t.mailSender.fromAddress ? (
                      `${t.mailSender.fromName ?? ''} <${t.mailSender.fromAddress}>`
                    ) : (
                      <Text c="dimmed" size="sm">
                        Default sender
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => setEditing(t)}
                      aria-label={`Edit ${t.name}`}
                    >
                      Edit
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Drawer
        opened={!!editing}
        onClose={() => setEditing(null)}
        position="right"
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
        title={editing === 'new' ? 'New team' : `Edit ${editing?.name ?? ''}`}
      >
        {editing && (
          <Stack gap="xl">
            <TeamForm
              team={editing === 'new' ? null : editing}
              leads={leads}
              onDone={() => setEditing(null)}
            />
            {editing !== 'new' && <SenderForm team={editing} />}
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}

function TeamForm({
  team,
  leads,
  onDone,
}: {
  team: AdminTeamFragment | null;
  leads: { id: string; name: string }[];
  onDone(): void;
}) {
  const [name, setName] = useState(team?.name ?? '');
  const [isPrivate, setPrivate] = useState(team?.isPrivate ?? false);
  const [leadId, setLeadId] = useState<string | null>(team?.leadId ?? null);
  const [calendar, setCalendar] = useState(!!team?.businessHours);
  const [timezone, setTimezone] = useState<string | null>(team?.timezone ?? 'UTC');
  const [week, setWeek] = useState<Week>(() => weekOf(team?.businessHours ?? null));
  const [holidays, setHolidays] = useState(
    (team?.holidays ?? []).map((h) => ({ date: h.date, name: h.name })),
  );
  const zones = useMemo(timeZones, []);
  const { errors, formError, reset, fail } = useFieldErrors();
  const [create, c] = useMutation(AdminCreateTeamDocument, { refetchQueries: ['AdminTeams'] });
  const [update, u] = useMutation(AdminUpdateTeamDocument);
  const setDay = (d: Day, patch: Partial<DayHours>) =>
    setWeek((w) => ({ ...w, [d]: { ...w[d], ...patch } }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    const input = {
      name,
      isPrivate,
      leadId,
      timezone: calendar ? timezone : null,
      businessHours: calendar ? hoursOf(week) : null,
      holidays: calendar ? holidays : [],
    };
    try {
      if (team) await update({ variables: { id: team.id, input } });
      else await create({ variables: { input } });
      notifications.show({ message: `${name} saved.`, color: 'teal' });
      onDone();
    } catch (err) {
      fail(err, 'The team was not saved.');
    }
  };
  return (
    <Stack component="form" {...asForm(submit)} aria-label="Team settings">
      {formError && <Alert color="red">{formError}</Alert>}
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
      />
      <Select
        label="Team lead"
        placeholder="No lead"
        data={leads.map((l) => ({ value: l.id, label: l.name }))}
        value={leadId}
        onChange={setLeadId}
        error={errors.leadId}
        clearable
        searchable
      />
      <Switch
        label="Private team (internal notes visible to members and admins only)"
        checked={isPrivate}
        onChange={(e) => setPrivate(e.currentTarget.checked)}
      />
      <Divider />
      <Title order={2} size="h4">
        Business hours
      </Title>
      <Switch
        label="This team works to a business-hours calendar"
        checked={calendar}
        onChange={(e) => setCalendar(e.currentTarget.checked)}
      />
      {calendar && (
        <>
          <Select
            label="Time zone"
            data={zones}
            value={timezone}
            onChange={setTimezone}
            searchable
            error={errors.timezone}
            allowDeselect={false}
          />
          <Stack gap={6} role="group" aria-label="Opening hours">
            {DAYS.map(([d, label]) => (
              <Group key={d} gap="sm" wrap="nowrap">
                <Checkbox
                  label={label}
                  checked={week[d].open}
                  onChange={(e) => setDay(d, { open: e.currentTarget.checked })}
                  w={130}
                />
                <TextInput
                  type="time"
                  aria-label={`${label} opens`}
                  value={week[d].from}
                  onChange={(e) => setDay(d, { from: e.currentTarget.value })}
                  disabled={!week[d].open}
                  w={130}
                />
                <Text size="sm" aria-hidden>
                  to
                </Text>
                <TextInput
                  type="time"
                  aria-label={`${label} closes`}
                  value={week[d].to}
                  onChange={(e) => setDay(d, { to: e.currentTarget.value })}
                  disabled={!week[d].open}
                  w={130}
                />
              </Group>
            ))}
            {errors.businessHours && (
              <Text c="red" size="sm" role="alert">
                {errors.businessHours}
              </Text>
            )}
          </Stack>
          <Title order={3} size="h5">
            Holidays
          </Title>
          <Stack gap={6}>
            {holidays.map((h, i) => (
              <Group key={i} gap="sm" wrap="nowrap">
                <TextInput
                  type="date"
                  aria-label={`Holiday ${i + 1} date`}
                  value={h.date}
                  onChange={(e) => {
                    const date = e.currentTarget.value;
                    setHolidays((l) => l.map((x, j) => (j === i ? { ...x, date } : x)));
                  }}
                  w={170}
                />
                <TextInput
                  aria-label={`Holiday ${i + 1} name`}
                  placeholder="e.g. Christmas Day"
                  value={h.name}
                  onChange={(e) => {
                    const name = e.currentTarget.value;
                    setHolidays((l) => l.map((x, j) => (j === i ? { ...x, name } : x)));
                  }}
                  style={{ flex: 1 }}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  onClick={() => setHolidays((l) => l.filter((_, j) => j !== i))}
                  aria-label={`Remove holiday ${h.name || i + 1}`}
                >
                  ✕
                </ActionIcon>
              </Group>
            ))}
            {errors.holidays && (
              <Text c="red" size="sm" role="alert">
                {errors.holidays}
              </Text>
            )}
            <Group>
              <Button
                variant="light"
                size="xs"
                onClick={() => setHolidays((l) => [...l, { date: '', name: '' }])}
              >
                Add holiday
              </Button>
            </Group>
          </Stack>
        </>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={c.loading || u.loading}>
          {team ? 'Save team' : 'Create team'}
        </Button>
      </Group>
    </Stack>
  );
}

function SenderForm({ team }: { team: AdminTeamFragment }) {
  const [fromName, setFromName] = useState(team.mailSender.fromName ?? '');
  const [fromAddress, setFromAddress] = useState(team.mailSender.fromAddress ?? '');
  const [signature, setSignature] = useState(team.mailSender.signature ?? '');
  const { errors, formError, reset, fail } = useFieldErrors();
  const [save, { loading }] = useMutation(AdminSetTeamMailSenderDocument, {
    refetchQueries: ['AdminTeams'],
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    try {
      await save({ variables: { teamId: team.id, input: { fromName, fromAddress, signature } } });
      notifications.show({ message: `Sender of ${team.name} saved.`, color: 'teal' });
    } catch (err) {
      fail(err, 'The sender was not saved.');
    }
  };
  return (
    <Stack component="form" {...asForm(submit)} aria-label="Sender of replies">
      <Divider />
      <Title order={2} size="h4">
        Sender of replies
      </Title>
      <Text size="sm" c="dimmed">
        Empty fields fall back to the desk&apos;s default sender (MAIL_FROM).
      </Text>
      {formError && <Alert color="red">{formError}</Alert>}
      <Group grow align="flex-start">
        <TextInput
          label="Sender name"
          value={fromName}
          onChange={(e) => setFromName(e.currentTarget.value)}
          error={errors.fromName}
        />
        <TextInput
          label="Sender address"
          type="email"
          value={fromAddress}
          onChange={(e) => setFromAddress(e.currentTarget.value)}
          error={errors.fromAddress}
        />
      </Group>
      <Textarea
        label="Signature"
        autosize
        minRows={3}
        value={signature}
        onChange={(e) => setSignature(e.currentTarget.value)}
        error={errors.signature}
      />
      <Group justify="flex-end">
        <Button type="submit" variant="light" loading={loading}>
          Save sender
        </Button>
      </Group>
    </Stack>
  );
}
