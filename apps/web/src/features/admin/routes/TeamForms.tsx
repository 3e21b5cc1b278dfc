import { useMutation } from '@apollo/client/react';
import {
  ActionIcon,
  Button,
  Checkbox,
  Divider,
  Group,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { FormActions } from '@/components/FormActions';
import {
  AdminCreateTeamDocument,
  AdminSetTeamMailSenderDocument,
  AdminUpdateTeamDocument,
  type AdminTeamFragment,
} from '@/gql/graphql';
import { AdminForm } from '../components/AdminForm';
import { GroupError } from '../components/GroupError';
import { useFieldErrors } from '../hooks/useFieldErrors';
import { DAYS, hoursOf, timeZones, weekOf, type Day, type DayHours, type Week } from './team-hours';

export function TeamForm({
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
  const { errors, formError, handleSubmit, textProps } = useFieldErrors();
  const [create, c] = useMutation(AdminCreateTeamDocument, { refetchQueries: ['AdminTeams'] });
  const [update, u] = useMutation(AdminUpdateTeamDocument);
  const setDay = (d: Day, patch: Partial<DayHours>) =>
    setWeek((w) => ({ ...w, [d]: { ...w[d], ...patch } }));
  const submit = handleSubmit(async () => {
    const input = {
      name,
      isPrivate,
      leadId,
      timezone: calendar ? timezone : null,
      businessHours: calendar ? hoursOf(week) : null,
      holidays: calendar ? holidays : [],
    };
    if (team) await update({ variables: { id: team.id, input } });
    else await create({ variables: { input } });
    notifications.show({ message: `${name} saved.`, color: 'teal' });
    onDone();
  }, 'The team was not saved.');
  return (
    <AdminForm onSubmit={submit} error={formError} label="Team settings">
      <TextInput label="Name" {...textProps('name', name, setName)} />
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
            <GroupError error={errors.businessHours} />
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
            <GroupError error={errors.holidays} />
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
      <FormActions onCancel={onDone} loading={c.loading || u.loading}>
        {team ? 'Save team' : 'Create team'}
      </FormActions>
    </AdminForm>
  );
}

export function SenderForm({ team }: { team: AdminTeamFragment }) {
  const [fromName, setFromName] = useState(team.mailSender.fromName ?? '');
  const [fromAddress, setFromAddress] = useState(team.mailSender.fromAddress ?? '');
  const [signature, setSignature] = useState(team.mailSender.signature ?? '');
  const { formError, handleSubmit, textProps } = useFieldErrors();
  const [save, { loading }] = useMutation(AdminSetTeamMailSenderDocument, {
    refetchQueries: ['AdminTeams'],
  });
  const submit = handleSubmit(async () => {
    await save({ variables: { teamId: team.id, input: { fromName, fromAddress, signature } } });
    notifications.show({ message: `Sender of ${team.name} saved.`, color: 'teal' });
  }, 'The sender was not saved.');
  return (
    <AdminForm
      onSubmit={submit}
      error={formError}
      label="Sender of replies"
      intro={
        <>
          <Divider />
          <Title order={2} size="h4">
            Sender of replies
          </Title>
          <Text size="sm" c="dimmed">
            Empty fields fall back to the desk&apos;s default sender (MAIL_FROM).
          </Text>
        </>
      }
    >
      <Group grow align="flex-start">
        <TextInput label="Sender name" {...textProps('fromName', fromName, setFromName)} />
        <TextInput
          label="Sender address"
          type="email"
          {...textProps('fromAddress', fromAddress, setFromAddress)}
        />
      </Group>
      <Textarea
        label="Signature"
        autosize
        minRows={3}
        {...textProps('signature', signature, setSignature)}
      />
      <Group justify="flex-end">
        <Button type="submit" variant="light" loading={loading}>
          Save sender
        </Button>
      </Group>
    </AdminForm>
  );
}
