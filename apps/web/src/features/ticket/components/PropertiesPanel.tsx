import { useMutation, useQuery } from '@apollo/client/react';
import { Paper, Select, Stack, TagsInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import {
  DirectoryDocument,
  UpdateTicketDocument,
  type Priority,
  type TicketDetailFragment,
  type UpdateTicketInput,
} from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';

/** Assignee, team, priority and tags; each change is saved at once with the ticket's version. */
export function PropertiesPanel({
  ticket,
  onSaved,
}: {
  ticket: TicketDetailFragment;
  onSaved(t: TicketDetailFragment): void;
}) {
  const { data } = useQuery(DirectoryDocument, { fetchPolicy: 'cache-first' });
  const [update, { loading }] = useMutation(UpdateTicketDocument, {
    refetchQueries: ['TicketPage', 'ViewCounts'],
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = async (input: Omit<UpdateTicketInput, 'expectedVersion'>, field: string) => {
    setErrors({});
    try {
      const r = await update({
        variables: { id: ticket.id, input: { ...input, expectedVersion: ticket.version } },
      });
      if (r.data) onSaved(r.data.updateTicket);
    } catch (err) {
      const p = apiProblem(err);
      if (p?.code === 'BAD_USER_INPUT') {
        setErrors({ [p.field?.replace(/^input\./, '') ?? field]: fieldMessage(p) });
      } else {
        notifications.show({
          color: 'red',
          title: p?.code === 'CONFLICT' ? 'Someone else changed this ticket' : 'Not saved',
          message:
            p?.code === 'CONFLICT'
              ? 'The ticket was reloaded with their change; make yours again if it is still needed.'
              : (p?.message ?? 'The change was not saved.'),
        });
      }
    }
  };
  const users = (data?.users.edges ?? [])
    .map((e) => e.node)
    .filter((u) => u.role !== 'account_manager')
    .map((u) => ({ value: u.id, label: u.name }));
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Title order={2} size="h5">
          Properties
        </Title>
        <Select
          label="Assignee"
          data={users}
          value={ticket.assigneeId ?? null}
          onChange={(v) => void save({ assigneeId: v }, 'assigneeId')}
          placeholder="Unassigned"
          searchable
          clearable
          disabled={loading}
          error={errors.assigneeId}
        />
        <Select
          label="Team"
          data={(data?.teams ?? []).map((t) => ({ value: t.id, label: t.name }))}
          value={ticket.teamId ?? null}
          onChange={(v) => void save({ teamId: v }, 'teamId')}
          placeholder="No team"
          clearable
          disabled={loading}
          error={errors.teamId}
        />
        <Select
          label="Priority"
          data={[
            { value: 'urgent', label: 'Urgent' },
            { value: 'high', label: 'High' },
            { value: 'normal', label: 'Normal' },
            { value: 'low', label: 'Low' },
          ]}
          value={ticket.priority}
          onChange={(v) => v && void save({ priority: v as Priority }, 'priority')}
          allowDeselect={false}
          disabled={loading}
          error={errors.priority}
        />
        <TagsInput
          label="Tags"
          value={ticket.tags}
          onChange={(v) => void save({ tags: v }, 'tags')}
          placeholder="Add a tag"
          disabled={loading}
          error={errors.tags}
          clearable
        />
      </Stack>
    </Paper>
  );
}
