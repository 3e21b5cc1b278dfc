import { ActionIcon, Avatar, Badge, Menu, Text, Tooltip } from '@mantine/core';
import { memo } from 'react';
import type { ConversationMessageFragment, DeliveryStatus } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';
import classes from './Conversation.module.css';

const LOOK = {
  customer_message: { label: 'Customer', color: 'gray' },
  public_reply: { label: 'Public reply', color: 'indigo' },
  internal_note: { label: 'Internal note', color: 'yellow' },
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
export const Conversation = memo(function Conversation({
  messages,
  onSplit,
}: {
  messages: ConversationMessageFragment[];
  /** Offered on customer messages when the ticket has more than one message. */
  onSplit?: (m: ConversationMessageFragment) => void;
}) {
  const canSplit = onSplit && messages.length > 1 ? onSplit : undefined;
  return (
    <ol className={classes.list} aria-label="Conversation">
      {messages.map((m) => (
        <Message key={m.id} m={m} onSplit={m.kind === 'customer_message' ? canSplit : undefined} />
      ))}
    </ol>
  );
});

/** One message; unchanged messages are not rendered again when the conversation grows. */
const Message = memo(function Message({
  m,
  onSplit,
}: {
  m: ConversationMessageFragment;
  onSplit?: (m: ConversationMessageFragment) => void;
}) {
  const look = LOOK[m.kind];
  const author = m.authorUser?.name ?? m.authorContact?.name ?? 'Unknown';
  return (
    <li
      className={`${classes.message} ${classes[m.kind]}`}
      aria-label={`${look.label} by ${author}`}
    >
      <div className={classes.head}>
        <div className={classes.who}>
          <Avatar size="sm" radius="xl" color={look.color} name={author} />
          <Text fw={600} size="sm" truncate>
            {author}
          </Text>
          <Badge size="xs" variant="light" color={look.color} style={{ flexShrink: 0 }}>
            {look.label}
          </Badge>
          {m.delivery && <DeliveryBadge delivery={m.delivery} />}
        </div>
        <div className={classes.who} style={{ flexShrink: 0 }}>
          <Text size="xs" c="dimmed">
            {formatDateTime(m.createdAt)}
          </Text>
          {onSplit && (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size="sm"
                  aria-label={`Actions for the message by ${author}, ${formatDateTime(m.createdAt)}`}
                >
                  <span aria-hidden>⋯</span>
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => onSplit(m)}>Split into a new ticket</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </div>
      </div>
      <Text size="sm" className={classes.body}>
        {m.body}
      </Text>
      {m.delivery && PROBLEM.includes(m.delivery.status) && (
        <Text size="xs" c="red.8" mt={6} role="status">
          {m.delivery.status === 'suppressed'
            ? 'Not sent: the address is bouncing.'
            : `Not delivered: ${m.delivery.error ?? DELIVERY[m.delivery.status].help}`}
        </Text>
      )}
    </li>
  );
});
