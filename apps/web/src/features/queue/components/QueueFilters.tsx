import { useQuery } from '@apollo/client/react';
import {
  Button,
  Collapse,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  TextInput,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { DirectoryDocument } from '@/gql/graphql';
import { humanize } from '@/lib/format';

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

/** A filter matching any of the picked values; its name stands in it while none is picked. */
function AnyOf({
  label,
  values,
  value,
  onChange,
}: {
  label: string;
  values: string[];
  value: string[];
  onChange(value: string[]): void;
}) {
  return (
    <MultiSelect
      aria-label={label}
      data={values.map((v) => ({ value: v, label: humanize(v) }))}
      value={value}
      onChange={onChange}
      placeholder={value.length ? undefined : label}
      w={{ base: '100%', sm: 140 }}
      clearable
    />
  );
}

export function QueueFilters({
  value,
  onChange,
}: {
  value: QueueFilterState;
  onChange(next: QueueFilterState): void;
}) {
  const { data } = useQuery(DirectoryDocument, { fetchPolicy: 'cache-first' });
  const [more, setMore] = useState(false);
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const extra =
    value.channel.length +
    value.tags.length +
    (value.teamId ? 1 : 0) +
    (value.assigneeId ? 1 : 0) +
    (phone ? value.status.length + value.priority.length + (value.sla !== 'any' ? 1 : 0) : 0);
  const set = <K extends keyof QueueFilterState>(k: K, v: QueueFilterState[K]) =>
    onChange({ ...value, [k]: v });
  const primary = (
    <>
      <AnyOf
        label="Status"
        values={['new', 'open', 'pending', 'on_hold', 'solved', 'closed']}
        value={value.status}
        onChange={(v) => set('status', v)}
      />
      <AnyOf
        label="Priority"
        values={['urgent', 'high', 'normal', 'low']}
        value={value.priority}
        onChange={(v) => set('priority', v)}
      />
      <SegmentedControl
        aria-label="SLA"
        value={value.sla}
        onChange={(v) => set('sla', v as QueueFilterState['sla'])}
        data={[
          { value: 'any', label: 'Any SLA' },
          { value: 'breached', label: 'Breached' },
          { value: 'due_soon', label: 'Due in 1 h' },
        ]}
      />
    </>
  );
  return (
    <Stack gap="xs">
      <Group gap="xs" align="center" wrap="wrap">
        <TextInput
          aria-label="Search"
          placeholder="Search subject and messages"
          value={value.search}
          onChange={(e) => set('search', e.currentTarget.value)}
          w={{ base: '100%', sm: 220 }}
          type="search"
        />
        {!phone && primary}
        <Button variant="subtle" size="sm" onClick={() => setMore((m) => !m)} aria-expanded={more}>
          {more ? 'Fewer filters' : `More filters${extra ? ` (${extra})` : ''}`}
        </Button>
      </Group>
      <Collapse expanded={more}>
        <Group gap="xs" align="center" wrap="wrap">
          {phone && primary}
          <AnyOf
            label="Channel"
            values={['email', 'web', 'chat', 'phone', 'social']}
            value={value.channel}
            onChange={(v) => set('channel', v)}
          />
          <TagsInput
            aria-label="Tags"
            value={value.tags}
            onChange={(v) => set('tags', v)}
            placeholder={value.tags.length ? undefined : 'Tags'}
            w={{ base: '100%', sm: 140 }}
            clearable
          />
          <Select
            aria-label="Team"
            data={(data?.teams ?? []).map((t) => ({ value: t.id, label: t.name }))}
            value={value.teamId}
            onChange={(v) => set('teamId', v)}
            placeholder="Team"
            w={{ base: '100%', sm: 140 }}
            clearable
            searchable
          />
          <Select
            aria-label="Assignee"
            data={(data?.users.edges ?? []).map((e) => ({ value: e.node.id, label: e.node.name }))}
            value={value.assigneeId}
            onChange={(v) => set('assigneeId', v)}
            placeholder="Assignee"
            w={{ base: '100%', sm: 140 }}
            clearable
            searchable
          />
        </Group>
      </Collapse>
    </Stack>
  );
}
