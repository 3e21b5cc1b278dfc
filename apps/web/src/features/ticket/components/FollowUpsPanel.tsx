import '@mantine/dates/styles.css';
import { useMutation } from '@apollo/client/react';
import { Badge, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import {
  CompleteFollowUpDocument,
  CreateFollowUpDocument,
  RescheduleFollowUpDocument,
  type FollowUpKind,
  type TicketFollowUpFragment,
} from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';
import { formatDateTime, humanize } from '@/lib/format';

const toIso = (v: string | null) => (v ? new Date(v.replace(' ', 'T')).toISOString() : null);

/** Follow-ups of the ticket: create, reschedule, complete. */
export function FollowUpsPanel({
  ticketId,
  followUps,
}: {
  ticketId: string;
  followUps: TicketFollowUpFragment[];
}) {
  const refetchQueries = ['TicketPage'];
  const [create, creating] = useMutation(CreateFollowUpDocument, { refetchQueries });
  const [reschedule] = useMutation(RescheduleFollowUpDocument, { refetchQueries });
  const [complete] = useMutation(CompleteFollowUpDocument, { refetchQueries });
  const [adding, setAdding] = useState(false);
  const [dueAt, setDueAt] = useState<string | null>(null);
  const [kind, setKind] = useState<FollowUpKind>('check_in');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<string | null>(null);

  const fail = (err: unknown, fallbackField: string) => {
    const p = apiProblem(err);
    if (p?.code === 'BAD_USER_INPUT') {
      setErrors({ [p.field?.replace(/^input\./, '') ?? fallbackField]: fieldMessage(p) });
    } else notifications.show({ color: 'red', message: p?.message ?? 'Not saved.' });
  };

  const submit = async () => {
    setErrors({});
    const iso = toIso(dueAt);
    if (!iso) {
      setErrors({ dueAt: 'Choose when it is due.' });
      return;
    }
    try {
      await create({ variables: { input: { ticketId, kind, dueAt: iso, note: note || null } } });
      setAdding(false);
      setNote('');
      setDueAt(null);
    } catch (err) {
      fail(err, 'dueAt');
    }
  };

  const open = followUps.filter((f) => f.status === 'open');
  const closed = followUps.filter((f) => f.status !== 'open');
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h5">
            Follow-ups
          </Title>
          {!adding && (
            <Button size="compact-sm" variant="light" onClick={() => setAdding(true)}>
              Add follow-up
            </Button>
          )}
        </Group>
        {open.length === 0 && !adding && (
          <Text size="sm" c="dimmed">
            No open follow-up.
          </Text>
        )}
        {open.map((f) => (
          <Paper key={f.id} withBorder p="xs" radius="sm">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                <Text size="sm" fw={600}>
                  {humanize(f.kind)}
                  {f.overdue && (
                    <Badge ml={6} size="xs" color="red">
                      Overdue
                    </Badge>
                  )}
                </Text>
                <Text size="xs" c="dimmed">
                  Due {formatDateTime(f.dueAt)} · {f.owner.name}
                </Text>
                {f.note && <Text size="xs">{f.note}</Text>}
              </div>
              <Group gap={4} wrap="nowrap">
                <Button size="compact-xs" variant="subtle" onClick={() => setEditing(f.id)}>
                  Reschedule
                </Button>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="teal"
                  onClick={() =>
                    void complete({ variables: { id: f.id, outcome: 'Done from the ticket page' } })
                      .then(() =>
                        notifications.show({ color: 'teal', message: 'Follow-up completed' }),
                      )
                      .catch((e: unknown) => fail(e, 'outcome'))
                  }
                >
                  Complete
                </Button>
              </Group>
            </Group>
            {editing === f.id && (
              <DateTimePicker
                mt="xs"
                label="New due time"
                placeholder="Pick date and time"
                onChange={(v) => {
                  const iso = toIso(v);
                  if (!iso) return;
                  void reschedule({ variables: { id: f.id, dueAt: iso } })
                    .then(() => setEditing(null))
                    .catch((e: unknown) => fail(e, 'dueAt'));
                }}
                error={errors.dueAt}
                popoverProps={{ withinPortal: true }}
              />
            )}
          </Paper>
        ))}
        {adding && (
          <Stack gap="xs">
            <Select
              label="Kind"
              data={['check_in', 'custom', 'at_risk_outreach', 'bad_csat_recovery'].map((k) => ({
                value: k,
                label: humanize(k),
              }))}
              value={kind}
              onChange={(v) => v && setKind(v as FollowUpKind)}
              allowDeselect={false}
            />
            <DateTimePicker
              label="Due"
              placeholder="Pick date and time"
              value={dueAt}
              onChange={setDueAt}
              error={errors.dueAt}
              minDate={new Date()}
            />
            <TextInput
              label="What to do"
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              error={errors.note}
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" size="xs" onClick={() => setAdding(false)}>
                Cancel
              </Button>
              <Button size="xs" onClick={() => void submit()} loading={creating.loading}>
                Save follow-up
              </Button>
            </Group>
          </Stack>
        )}
        {closed.length > 0 && (
          <Text size="xs" c="dimmed">
            {closed.length} completed or cancelled
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
