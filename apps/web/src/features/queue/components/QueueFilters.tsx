import { useQuery } from '@apollo/client/react';
import { Group, MultiSelect, SegmentedControl, Select, TagsInput, TextInput } from '@mantine/core';
import { DirectoryDocument } from '@/gql/graphql';

export interface QueueFilterState {
  search: string;
  status: string[];
  priority: string[];
  channel: string[];
  tags: string[];
  teamId: string | null;
  assigneeId: string | null;
  sla: 'any' | 'breached' | 'due_soon';
}

export const EMPTY_FILTERS: QueueFilterState = {
  search: '',
  status: [],
  priority: [],
  channel: [],
  tags: [],
  teamId: null,
  assigneeId: null,
  sla: 'any',
};

const opts = (values: string[]) =>
  values.map((v) => ({
    value: v,
    label: v.charAt(0).toUpperCase() + v.slice(1).replace('_', ' '),
  }));

export function QueueFilters({
  value,
  onChange,
}: {
  value: QueueFilterState;
  onChange(next: QueueFilterState): void;
}) {
  const { data } = useQuery(DirectoryDocument, { fetchPolicy: 'cache-first' });
  const set = <K extends keyof QueueFilterState>(k: K, v: QueueFilterState[K]) =>
    onChange({ ...value, [k]: v });
  return (
    <Group gap="xs" align="flex-end" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Words in subject or messages"
        value={value.search}
        onChange={(e) => set('search', e.currentTarget.value)}
        w={{ base: '100%', sm: 240 }}
        type="search"
      />
      <MultiSelect
        label="Status"
        data={opts(['new', 'open', 'pending', 'on_hold', 'solved', 'closed'])}
        value={value.status}
        onChange={(v) => set('status', v)}
        placeholder={value.status.length ? undefined : 'View default'}
        w={{ base: '100%', sm: 190 }}
        clearable
      />
      <MultiSelect
        label="Priority"
        data={opts(['urgent', 'high', 'normal', 'low'])}
        value={value.priority}
        onChange={(v) => set('priority', v)}
        placeholder={value.priority.length ? undefined : 'Any'}
        w={{ base: '100%', sm: 170 }}
        clearable
      />
      <MultiSelect
        label="Channel"
        data={opts(['email', 'web', 'chat', 'phone', 'social'])}
        value={value.channel}
        onChange={(v) => set('channel', v)}
        placeholder={value.channel.length ? undefined : 'Any'}
        w={{ base: '100%', sm: 170 }}
        clearable
      />
      <TagsInput
        label="Tags"
        value={value.tags}
        onChange={(v) => set('tags', v)}
        placeholder={value.tags.length ? undefined : 'Any tag'}
        w={{ base: '100%', sm: 170 }}
        clearable
      />
      <Select
        label="Team"
        data={(data?.teams ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={value.teamId}
        onChange={(v) => set('teamId', v)}
        placeholder="Any"
        w={{ base: '100%', sm: 160 }}
        clearable
        searchable
      />
      <Select
        label="Assignee"
        data={(data?.users.edges ?? []).map((e) => ({ value: e.node.id, label: e.node.name }))}
        value={value.assigneeId}
        onChange={(v) => set('assigneeId', v)}
        placeholder="Any"
        w={{ base: '100%', sm: 170 }}
        clearable
        searchable
      />
      <SegmentedControl
        aria-label="SLA"
        value={value.sla}
        onChange={(v) => set('sla', v as QueueFilterState['sla'])}
        data={[
          { value: 'any', label: 'Any SLA' },
          { value: 'breached', label: 'Breached' },
          { value: 'due_soon', label: 'Due within 1 h' },
        ]}
      />
    </Group>
  );
}
