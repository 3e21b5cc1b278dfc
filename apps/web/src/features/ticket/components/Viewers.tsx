import { Avatar, Group, Text, Tooltip } from '@mantine/core';
import type { Viewer } from '../hooks/usePresence';

/** Who else has the ticket open, and who of them is writing (collision detection). */
export function Viewers({ viewers }: { viewers: Viewer[] }) {
  if (viewers.length === 0) return null;
  const writing = viewers.filter((v) => v.composing).map((v) => v.user.name);
  const names = (list: string[]) =>
    list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  const summary = writing.length
    ? `${names(writing)} ${writing.length === 1 ? 'is' : 'are'} writing a reply`
    : `${names(viewers.map((v) => v.user.name))} ${viewers.length === 1 ? 'is' : 'are'} viewing`;
  return (
    <Group gap="xs" wrap="nowrap" role="status" aria-label="Others on this ticket">
      <Avatar.Group spacing="xs">
        {viewers.slice(0, 4).map((v) => (
          <Tooltip
            key={v.user.id}
            label={`${v.user.name} · ${v.composing ? 'writing' : 'viewing'}`}
            withArrow
          >
            <Avatar
              size="sm"
              radius="xl"
              name={v.user.name}
              color="initials"
              style={{
                outline: v.composing ? '2px solid var(--mantine-color-orange-6)' : undefined,
              }}
            />
          </Tooltip>
        ))}
      </Avatar.Group>
      <Text
        size="sm"
        c={writing.length ? 'var(--mantine-color-orange-text)' : 'dimmed'}
        fw={writing.length ? 600 : 400}
      >
        {summary}
      </Text>
    </Group>
  );
}
