import { Tx, notFound } from '@staydesk/core';
import { Actor, validateId } from '@staydesk/identity';
import { Channel, validateSubject } from './ticket-rules';
import { SlaPolicyRow, TicketRow } from './tickets.repository';
import { applyStatus, refreshSla, checkPolicy, newTicketSla } from './ticket-sla';
import { TicketsBase } from './tickets.base';

/** SLA policy administration and the worker/merge entry points (breaches, auto-close, merge, split). */
export abstract class TicketsUpkeep extends TicketsBase {
  listPolicies() {
    return this.repo.listPolicies(this.tx.db);
  }

  async createPolicy(
    actor: Actor,
    input: Omit<SlaPolicyRow, 'id' | 'active' | 'channel' | 'tier'> & {
      channel?: Channel | null;
      tier?: string | null;
    },
  ): Promise<SlaPolicyRow> {
    checkPolicy(input);
    return this.tx.run(async (tx) => {
      const p = await this.repo.insertPolicy(tx, {
        ...input,
        name: input.name.trim(),
        channel: input.channel ?? null,
        tier: input.tier ?? null,
      });
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'sla_policy.create',
        entity: 'sla_policy',
        entityId: p.id,
        details: { ...input },
      });
      return p;
    });
  }

  /** Admins: change an active SLA policy (new tickets get the new targets; existing ones keep theirs). */
  async updatePolicy(
    actor: Actor,
    id: string,
    patch: Partial<Omit<SlaPolicyRow, 'id' | 'active'>>,
    given: Set<string>,
  ): Promise<SlaPolicyRow> {
    validateId(id);
    return this.tx.run(async (tx) => {
      const before = await this.repo.lockActivePolicy(tx, id);
      if (!before) throw notFound('active SLA policy', id);
      const next = {
        name: (patch.name ?? before.name).trim(),
        priority: patch.priority ?? before.priority,
        channel: given.has('channel') ? (patch.channel ?? null) : before.channel,
        tier: given.has('tier') ? (patch.tier ?? null) : before.tier,
        firstResponseMinutes: patch.firstResponseMinutes ?? before.firstResponseMinutes,
        resolutionMinutes: patch.resolutionMinutes ?? before.resolutionMinutes,
        nextReplyMinutes: given.has('nextReplyMinutes')
          ? (patch.nextReplyMinutes ?? null)
          : (before.nextReplyMinutes ?? null),
        businessHours: patch.businessHours ?? before.businessHours,
      };
      checkPolicy(next);
      const p = await this.repo.updatePolicy(tx, id, next);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'sla_policy.update',
        entity: 'sla_policy',
        entityId: id,
        details: { changed: [...given] },
      });
      return p;
    });
  }

  async deactivatePolicy(actor: Actor, id: string): Promise<boolean> {
    validateId(id);
    return this.tx.run(async (tx) => {
      if (!(await this.repo.deactivatePolicy(tx, id))) throw notFound('active SLA policy', id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'sla_policy.deactivate',
        entity: 'sla_policy',
        entityId: id,
      });
      return true;
    });
  }

  /** Worker: flag SLA targets that passed unmet. */
  markBreaches() {
    return this.tx.run((tx) => this.repo.markBreaches(tx));
  }

  /**
   * Worker: closes solved tickets whose last solve is older than `days` (a customer reply would
   * have reopened them), each with an `auto_closed` event in its history. In pages, each its own
   * transaction.
   */
  async autoClose(days: number, pageSize = 500): Promise<number> {
    if (days <= 0) return 0;
    let total = 0;
    for (;;) {
      const closed = await this.tx.run(async (tx) => {
        const ids = await this.repo.solvedBefore(
          tx,
          new Date(Date.now() - days * 86_400_000),
          pageSize,
        );
        const now = new Date();
        for (const id of ids) {
          const t = await this.repo.lockById(tx, id);
          if (!t || t.status !== 'solved') continue;
          const patch: Partial<TicketRow> = {};
          const events = applyStatus(t, 'closed', patch, null, now);
          events.push({
            ticketId: id,
            actorId: null,
            type: 'auto_closed',
            fromValue: null,
            toValue: `${days}d`,
            createdAt: now,
          });
          refreshSla(t, patch, now);
          await this.repo.update(tx, id, patch, now);
          await this.repo.insertEvents(tx, events);
        }
        return ids.length;
      });
      total += closed;
      if (closed < pageSize) return total;
    }
  }

  /**
   * Merge (libs/automations): moves every message of `sourceId` to `targetId` in the caller's
   * transaction; each remembers the ticket it first came from. Returns how many moved.
   */
  moveAllMessagesInTx(tx: Tx, sourceId: string, targetId: string): Promise<number> {
    return this.repo.moveAllMessages(tx, sourceId, targetId);
  }

  /** Merge (libs/automations): links the merged ticket to the one it was merged into. */
  setMergedIntoInTx(tx: Tx, sourceId: string, targetId: string): Promise<void> {
    return this.repo.setMergedInto(tx, sourceId, targetId);
  }

  /** Merge (libs/automations): `last_message_at` from the ticket's messages after some moved in. */
  refreshLastMessageAtInTx(tx: Tx, ticketId: string): Promise<void> {
    return this.repo.refreshLastMessageAt(tx, ticketId);
  }

  /** Split (libs/automations): moves one message into the ticket split off; it remembers its origin. */
  moveMessageInTx(
    tx: Tx,
    messageId: string,
    toTicketId: string,
    fromTicketId: string,
  ): Promise<void> {
    return this.repo.moveMessage(tx, messageId, toTicketId, fromTicketId);
  }

  /**
   * Custom fields (libs/automations): replaces a ticket's values and moves its version on, in the
   * caller's transaction (the caller locked the ticket and records the event).
   */
  replaceCustomFieldsInTx(
    tx: Tx,
    ticketId: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    return this.repo.replaceCustomFields(tx, ticketId, values);
  }

  /**
   * Merge (libs/automations): closes a ticket merged into another from whatever open status it
   * has (the state machine's path is not required: nothing is left to do on it), in the caller's
   * transaction, with the usual `status_changed` event.
   */
  async closeMergedInTx(tx: Tx, actor: Actor, id: string): Promise<TicketRow> {
    const t = await this.lockForChange(tx, id);
    if (t.status === 'closed') return t;
    const now = new Date();
    const patch: Partial<TicketRow> = {};
    const events = applyStatus(t, 'closed', patch, actor, now);
    return this.saveChange(tx, t, patch, events, now);
  }

  /**
   * Split (libs/automations): a new open ticket of the same customer, team and priority, in the
   * caller's transaction (the caller moves the message into it). Rules on creation run.
   */
  async insertSplitInTx(
    tx: Tx,
    actor: Actor,
    source: TicketRow,
    requesterId: string,
    subject: string,
  ): Promise<TicketRow> {
    const now = new Date();
    const [customer] = await this.customers.byIds([source.customerId], tx);
    const policy = await this.repo.policyFor(tx, source.priority, source.channel, customer.tier);
    const team = source.teamId ? await this.requireTeam(source.teamId, tx) : null;
    const ticket = await this.repo.insert(tx, {
      customerId: source.customerId,
      requesterId,
      subject: validateSubject(subject),
      channel: source.channel,
      priority: source.priority,
      status: 'new',
      assigneeId: null,
      teamId: source.teamId,
      tags: source.tags,
      createdById: actor.id,
      firstResponseAt: null,
      ...newTicketSla(policy, now, team),
      lastMessageAt: now,
      createdAt: now,
    });
    await this.repo.insertEvents(tx, [
      {
        ticketId: ticket.id,
        actorId: actor.id,
        type: 'created',
        fromValue: null,
        toValue: 'new',
        createdAt: now,
      },
    ]);
    await this.outbox.record(tx, {
      type: 'ticket.created',
      payload: { ticketId: ticket.id, customerId: ticket.customerId },
    });
    return ticket;
  }
}
