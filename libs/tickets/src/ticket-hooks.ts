import { Injectable } from '@nestjs/common';
import type { RawBuilder } from 'kysely';
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

/** A new ticket as createTicket is about to insert it: what a hook may decide on before the insert. */
export interface TicketDraft {
  channel: string;
  priority: string;
  status: string;
  /** Null when the insert resolves it from the requester (not known yet). */
  customerId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  tags: string[];
  subject: string;
  /** The first message's body when the customer wrote it ('' otherwise). */
  customerText: string;
  createdAt: Date;
}

/** One change a hook folded into the insert, as `updateInTx` would have written it afterwards. */
export interface FoldedUpdate {
  actorId: string;
  /** Its history events (also listed in `CreateFold.events`, in order). */
  changes: { type: string; from: string | null; to: string | null }[];
}

/**
 * What a hook decided before the insert, written by the insert itself: the ticket's final tags,
 * the history events after the creation's own (in order, e.g. `rule_applied` then
 * `tags_changed`), and the updates they stand for (each one an outbox `ticket.updated`, an audit
 * `ticket.update` and a version, as if made after the insert).
 */
export interface CreateFold {
  tags: string[];
  events: {
    actorId: string | null;
    type: string;
    fromValue: string | null;
    toValue: string | null;
  }[];
  updates: FoldedUpdate[];
}

/** Something that reacts to ticket changes inside the changing transaction (automation rules). */
export interface TicketHook {
  afterChange(tx: Tx, context: TicketHookContext): Promise<void>;
  /**
   * Optional: decides what the hook would do on `ticket_created` before the insert. A fold means
   * the hook's whole run is in it (its `afterChange` for this creation is skipped); null: it runs
   * after the insert as usual.
   */
  beforeCreate?(tx: Tx, draft: TicketDraft): Promise<CreateFold | null>;
  /**
   * Optional: `beforeCreate` decided without a statement, on what the hook has cached, with the
   * SQL condition under which that cache is current. createTicket's insert checks the condition
   * in its own statement and inserts nothing when it fails (then the creation runs the usual
   * way, `beforeCreate` in its transaction). Null: nothing cached, or no fold.
   */
  foldFromCache?(draft: TicketDraft): CachedFold | null;
}

/** A fold decided on a hook's cache: valid while `current` (a boolean SQL expression) is true. */
export interface CachedFold {
  fold: CreateFold;
  current: RawBuilder<boolean>;
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

  /** `skip`: the hook whose run was folded into the change (`beforeCreate`). */
  async run(tx: Tx, context: TicketHookContext, skip?: TicketHook | null): Promise<void> {
    const ctx = this.batches.has(tx) ? { ...context, batch: true } : context;
    for (const h of this.hooks) if (h !== skip) await h.afterChange(tx, ctx);
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

  /**
   * createTicket in one statement (issue 19): the hooks' whole creation run decided before the
   * insert from their caches, with the conditions the insert must check. Null when a hook cannot
   * (or more than one hook is registered: one hook folds at most, the others would run after the
   * insert, in a transaction). No hooks: nothing to run, nothing to check.
   */
  foldFromCache(
    draft: TicketDraft,
  ): { hook: TicketHook | null; fold: CreateFold; current: RawBuilder<boolean>[] } | null {
    if (this.hooks.length === 0) {
      return { hook: null, fold: { tags: draft.tags, events: [], updates: [] }, current: [] };
    }
    if (this.hooks.length > 1) return null;
    const hook = this.hooks[0];
    const cached = hook.foldFromCache?.(draft) ?? null;
    return cached ? { hook, fold: cached.fold, current: [cached.current] } : null;
  }

  /**
   * Asks the hooks, in order, to decide on a new ticket before its insert: the first that folds
   * its run is returned with its fold (one hook folds at most; the others run after the insert).
   */
  async beforeCreate(
    tx: Tx,
    draft: TicketDraft,
  ): Promise<{ hook: TicketHook; fold: CreateFold } | null> {
    for (const hook of this.hooks) {
      const fold = hook.beforeCreate ? await hook.beforeCreate(tx, draft) : null;
      if (fold) return { hook, fold };
    }
    return null;
  }
}
