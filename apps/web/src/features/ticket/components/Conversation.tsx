import { Avatar, Badge, Group, Paper, Stack, Text } from '@mantine/core';
import type { ConversationMessageFragment } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';

const LOOK = {
  customer_message: { label: 'Customer', color: 'gray', bg: 'var(--mantine-color-default)' },
  public_reply: { label: 'Public reply', color: 'indigo', bg: 'var(--mantine-color-indigo-light)' },
  internal_note: {
    label: 'Internal note',
    color: 'yellow',
    bg: 'var(--mantine-color-yellow-light)',
  },
} as const;

/** The conversation, oldest first: customer messages, public replies and internal notes look different. */
export function Conversation({ messages }: { messages: ConversationMessageFragment[] }) {
  return (
    <Stack
      gap="sm"
      component="ol"
      p={0}
      m={0}
      style={{ listStyle: 'none' }}
      aria-label="Conversation"
    >
      {messages.map((m) => {
        const look = LOOK[m.kind];
        const author = m.authorUser?.name ?? m.authorContact?.name ?? 'Unknown';
        const fromAgent = m.kind !== 'customer_message';
        return (
          <Paper
            component="li"
            key={m.id}
            withBorder
            p="md"
            radius="md"
            bg={look.bg}
            ml={fromAgent ? { base: 0, sm: 'xl' } : 0}
            mr={fromAgent ? 0 : { base: 0, sm: 'xl' }}
            style={m.kind === 'internal_note' ? { borderStyle: 'dashed' } : undefined}
            aria-label={`${look.label} by ${author}`}
          >
            <Group justify="space-between" mb={6} wrap="nowrap">
              <Group gap="xs" wrap="nowrap">
                <Avatar size="sm" radius="xl" color={look.color} name={author} />
                <Text fw={600} size="sm">
                  {author}
                </Text>
                <Badge size="xs" variant="light" color={look.color}>
                  {look.label}
                </Badge>
              </Group>
              <Text size="xs" c="dimmed">
                {formatDateTime(m.createdAt)}
              </Text>
            </Group>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {m.body}
            </Text>
          </Paper>
        );
      })}
    </Stack>
  );
}
