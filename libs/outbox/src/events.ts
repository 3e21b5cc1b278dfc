/**
 * Domain events: written to the outbox in the same transaction as the change that causes them,
 * then relayed to BullMQ by the worker. Payloads carry ids; the state lives in PostgreSQL.
 */
export type DomainEvent =
  | { type: 'ticket.created'; payload: { ticketId: string; customerId: string } }
  | { type: 'ticket.solved'; payload: { ticketId: string; customerId: string; solveCycle: number } }
  | {
      type: 'ticket.reopened';
      payload: { ticketId: string; customerId: string; reopenCount: number };
    }
  | {
      type: 'ticket.message_added';
      payload: {
        ticketId: string;
        customerId: string;
        messageId: string;
        kind: string;
        /** What the message changed on the ticket (status, assignee), as in ticket history. */
        changes?: TicketChange[];
      };
    }
  | {
      type: 'ticket.updated';
      payload: { ticketId: string; customerId: string; changes: TicketChange[] };
    }
  | { type: 'followup.due'; payload: { followUpId: string; ownerId: string } }
  | {
      type: 'survey.answered';
      payload: { surveyId: string; customerId: string; kind: string; score: number };
    }
  | { type: 'customer.status_changed'; payload: { customerId: string; from: string; to: string } }
  | {
      type: 'ticket.assigned';
      payload: { ticketId: string; assigneeId: string; byUserId: string | null; at: string };
    }
  /** An automatic e-mail (automation rule, merge notice) was queued in `automation_mails`. */
  | { type: 'automation.mail_queued'; payload: { mailId: string; ticketId: string } }
  /** A password-reset link was issued (`password_resets` row); the worker mails it. */
  | { type: 'user.password_reset_requested'; payload: { resetId: string } };

/** One field change, as written to the ticket's history (`ticket_events`). */
export interface TicketChange {
  type: string;
  from: string | null;
  to: string | null;
}

export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
