import { Injectable } from '@nestjs/common';
import type { Tx } from '@staydesk/core';
import type { Actor } from '@staydesk/identity';

/** What happened to a ticket, as the automation rules see it. */
export type TicketTrigger = 'ticket_created' | 'ticket_updated' | 'customer_message';

export interface TicketHookContext {
  trigger: TicketTrigger;
  ticketId: string;
  /** Who made the change; null for the system (e.g. a customer's e-mail). */
  actor: Actor | null;
}

/** Something that reacts to ticket changes inside the changing transaction (automation rules). */
export interface TicketHook {
  afterChange(tx: Tx, context: TicketHookContext): Promise<void>;
}

/**
 * The tickets service calls every registered hook at the end of a change, inside its
 * transaction, so whatever a hook writes commits or rolls back with the change. Other modules
 * register (libs/automations) without libs/tickets depending on them.
 */
@Injectable()
export class TicketHooks {
  private readonly hooks: TicketHook[] = [];

  register(hook: TicketHook): void {
    if (!this.hooks.includes(hook)) this.hooks.push(hook);
  }

  async run(tx: Tx, context: TicketHookContext): Promise<void> {
    for (const h of this.hooks) await h.afterChange(tx, context);
  }
}
