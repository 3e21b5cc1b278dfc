import { Text, Timeline } from '@mantine/core';
import { formatDateTime, humanize } from '@/lib/format';

interface Event {
  id: string;
  type: string;
  fromValue: string | null;
  toValue: string | null;
  createdAt: string;
  actorId: string | null;
}

/** The ticket's history, newest first, in words. */
export function EventHistory({ events, names }: { events: Event[]; names: Map<string, string> }) {
  const list = [...events].reverse();
  return (
    <Timeline bulletSize={12} lineWidth={2} aria-label="Ticket history">
      {list.map((e) => (
        <Timeline.Item key={e.id} title={<Text size="sm">{describe(e, names)}</Text>}>
          <Text size="xs" c="dimmed">
            {formatDateTime(e.createdAt)} ·{' '}
            {e.actorId ? (names.get(e.actorId) ?? 'an agent') : 'Staydesk'}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function describe(e: Event, names: Map<string, string>): string {
  const v = (x: string | null) => (x ? humanize(x) : 'none');
  switch (e.type) {
    case 'status_changed':
      return `Status ${v(e.fromValue)} → ${v(e.toValue)}`;
    case 'priority_changed':
      return `Priority ${v(e.fromValue)} → ${v(e.toValue)}`;
    case 'created':
      return 'Ticket opened';
    case 'first_response':
      return 'First response sent';
    case 'team_changed':
      return `Team → ${e.toValue ? (names.get(`team:${e.toValue}`) ?? `team ${e.toValue}`) : 'none'}`;
    case 'tags_changed':
      return `Tags → ${e.toValue || 'none'}`;
    case 'assignee_changed':
      return `Assigned to ${e.toValue ? (names.get(e.toValue) ?? `user ${e.toValue}`) : 'nobody'}`;
    default:
      return `${humanize(e.type)}${e.toValue ? `: ${e.toValue}` : ''}`;
  }
}
