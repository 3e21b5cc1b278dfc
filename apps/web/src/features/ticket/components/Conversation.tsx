import { Avatar, Badge, Text } from '@mantine/core';
import { memo } from 'react';
import type { ConversationMessageFragment } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';
import classes from './Conversation.module.css';

const LOOK = {
  customer_message: { label: 'Customer', color: 'gray' },
  public_reply: { label: 'Public reply', color: 'indigo' },
  internal_note: { label: 'Internal note', color: 'yellow' },
} as const;

/** The conversation, oldest first: customer messages, public replies and internal notes look different. */
export const Conversation = memo(function Conversation({
  messages,
}: {
  messages: ConversationMessageFragment[];
}) {
  return (
    <ol className={classes.list} aria-label="Conversation">
      {messages.map((m) => (
        <Message key={m.id} m={m} />
      ))}
    </ol>
  );
});

/** One message; unchanged messages are not rendered again when the conversation grows. */
const Message = memo(function Message({ m }: { m: ConversationMessageFragment }) {
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
        </div>
        <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
          {formatDateTime(m.createdAt)}
        </Text>
      </div>
      <Text size="sm" className={classes.body}>
        {m.body}
      </Text>
    </li>
  );
});
