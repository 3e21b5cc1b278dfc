import { Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/**
 * The link of a table row that opens on click as a whole: in the text colour, one line, and its
 * own click does not reach the row (so the page opens once).
 */
export function RowLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Anchor
      component={Link}
      to={to}
      fw={600}
      c="var(--mantine-color-text)"
      onClick={(e) => e.stopPropagation()}
      lineClamp={1}
    >
      {children}
    </Anchor>
  );
}

/** "#1042 Export stops at 10,000 rows" as the row's link to the ticket. */
export function TicketRowLink({
  id,
  number,
  subject,
}: {
  id: string;
  number: ReactNode;
  subject: ReactNode;
}) {
  return (
    <RowLink to={`/tickets/${id}`}>
      <Text span c="dimmed" fw={500} mr={6}>
        #{number}
      </Text>
      {subject}
    </RowLink>
  );
}
