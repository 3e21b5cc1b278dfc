import { MantineProvider } from '@mantine/core';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConversationMessageFragment } from '@/gql/graphql';
import { Conversation } from './Conversation';

const reply = (
  id: string,
  delivery: ConversationMessageFragment['delivery'],
): ConversationMessageFragment => ({
  id,
  kind: 'public_reply',
  body: `Reply ${id}`,
  createdAt: '2026-11-30T10:00:00.000Z',
  authorUser: { id: '1', name: 'Agent Smith' },
  authorContact: null,
  delivery,
});

describe('Conversation: e-mail delivery of public replies', () => {
  it('shows each reply’s delivery state and why a reply was not delivered', () => {
    const at = '2026-11-30T10:01:00.000Z';
    render(
      <MantineProvider>
        <Conversation
          messages={[
            reply('1', { status: 'sent', at, error: null }),
            reply('2', {
              status: 'failed',
              at,
              error: 'SMTP refused the message (550): mailbox unavailable',
            }),
            reply('3', {
              status: 'suppressed',
              at,
              error: 'not sent: address bouncing',
            }),
            { ...reply('4', null), kind: 'internal_note' },
          ]}
        />
      </MantineProvider>,
    );
    const badges = screen.getAllByTestId('delivery-status');
    expect(badges.map((b) => b.textContent)).toEqual(['Sent', 'Not delivered', 'Not sent']);
    expect(badges[1].getAttribute('aria-label')).toContain('550');
    expect(screen.getByText(/Not delivered: SMTP refused the message \(550\)/)).toBeTruthy();
    expect(screen.getByText('Not sent: the address is bouncing.')).toBeTruthy();
  });
});
