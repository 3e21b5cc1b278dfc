import { Avatar, Badge, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import type { ConversationMessageFragment, DeliveryStatus } from '@/gql/graphql';
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

const DELIVERY: Record<DeliveryStatus, { label: string; color: string; help: string }> = {
  queued: { label: 'Queued', color: 'gray', help: 'Waiting to be mailed' },
  sending: { label: 'Sending', color: 'blue', help: 'Being handed to the mail server' },
  sent: { label: 'Sent', color: 'teal', help: 'Accepted by the mail server' },
  failed: { label: 'Not delivered', color: 'red', help: 'The mail server refused it' },
  bounced: { label: 'Bounced', color: 'red', help: 'A bounce report came back' },
  suppressed: { label: 'Not sent', color: 'orange', help: 'The address is bouncing' },
};

/** A public reply's e-mail delivery: a small badge, the details in its tooltip. */
function DeliveryBadge({
  delivery,
}: {
  delivery: NonNullable<ConversationMessageFragment['delivery']>;
}) {
  const look = DELIVERY[delivery.status];
  const detail = `${look.help}, ${formatDateTime(delivery.at)}${delivery.error ? `: ${delivery.error}` : ''}`;
  return (
    <Tooltip
      label={detail}
      multiline
      maw={320}
      withArrow
      events={{ hover: true, focus: true, touch: true }}
    >
      <Badge
        size="xs"
        variant="dot"
        color={look.color}
        tabIndex={0}
        aria-label={`E-mail: ${look.label}. ${detail}`}
        data-testid="delivery-status"
      >
        {look.label}
      </Badge>
    </Tooltip>
  );
}

const PROBLEM: DeliveryStatus[] = ['failed', 'bounced', 'suppressed'];

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
                {m.delivery && <DeliveryBadge delivery={m.delivery} />}
              </Group>
              <Text size="xs" c="dimmed">
                {formatDateTime(m.createdAt)}
              </Text>
            </Group>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {m.body}
            </Text>
            {m.delivery && PROBLEM.includes(m.delivery.status) && (
              <Text size="xs" c="red.8" mt={6} role="status">
                {m.delivery.status === 'suppressed'
                  ? 'Not sent: the address is bouncing.'
                  : `Not delivered: ${m.delivery.error ?? DELIVERY[m.delivery.status].help}`}
              </Text>
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
