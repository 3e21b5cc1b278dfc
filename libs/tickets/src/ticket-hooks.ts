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
  /**
   * The change is one of a batch made in one transaction ({@link TicketHooks.inBatch}: a filing
   * batch of inbound mail): a hook may read what every change needs (the automation rules) once
   * for the batch instead of once per change.
   */
  batch?: boolean;
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
  /** Transactions running a batch of changes (see inBatch). */
  private readonly batches = new WeakSet<Tx>();

  register(hook: TicketHook): void {
    if (!this.hooks.includes(hook)) this.hooks.push(hook);
  }

  async run(tx: Tx, context: TicketHookContext): Promise<void> {
    const ctx = this.batches.has(tx) ? { ...context, batch: true } : context;
    for (const h of this.hooks) await h.afterChange(tx, ctx);
  }

  /** Runs `work`: the ticket changes it makes in `tx` are one batch ({@link TicketHookContext.batch}). */
  async inBatch<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
    this.batches.add(tx);
    try {
      return await work();
    } finally {
      this.batches.delete(tx);
    }
  }
}
