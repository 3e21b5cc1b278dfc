import { Injectable } from '@nestjs/common';
import {
  AuditAction,
  AuditRepository,
  Connection,
  TransactionRunner,
  Tx,
  badInput,
  notFound,
  pageSize,
  toConnection,
} from '@staydesk/core';
import { Actor, IdentityService, validateId } from '@staydesk/identity';
import { OutboxService } from '@staydesk/outbox';
import {
  FollowUpKind,
  FollowUpRow,
  FollowUpsRepository,
  NewFollowUp,
  ReminderRow,
} from './followups.repository';
import {
  CreateFollowUpInput,
  FollowUpsFilterInput,
  OpenForOwnerInput,
  validateKind,
  validateDueAt,
  validateOptionalText,
  validateOutcome,
  assertMayManage,
  assertOpen,
  decodeFollowUpCursor,
  listFilter,
  FOLLOW_UPS_KEYSET,
} from './followups.validation';

/**
 * Follow-ups: promises to get back to a customer by a due time (check-ins, recovery after a bad
 * survey, outreach to an at-risk account). Owners are reminded by e-mail when one falls due.
 */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly repo: FollowUpsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxService,
    private readonly identity: IdentityService,
  ) {}

  byIds(ids: readonly string[]): Promise<FollowUpRow[]> {
    return this.repo.byIds(this.tx.db, ids);
  }

  /** One follow-up; one on a private team's ticket the actor may not read is NOT_FOUND. */
  async followUp(id: string, actor?: Actor): Promise<FollowUpRow> {
    const [f] = await this.repo.byIds(this.tx.db, [validateId(id)]);
    if (!f) throw notFound('follow-up', id);
    if (actor && f.ticketId) {
      const hidden = await this.identity.hiddenTeamIds(actor);
      if (hidden.length && !(await this.repo.customerOfTicket(this.tx.db, f.ticketId, hidden)))
        throw notFound('follow-up', id);
    }
    return f;
  }

  /** A page of follow-ups, soonest due first, keyset-paginated on (due_at, id). */
  async list(
    actor: Actor,
    filter: FollowUpsFilterInput,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<FollowUpRow>> {
    const limit = pageSize(first);
    const f = {
      ...listFilter(actor, filter),
      hiddenTeamIds: await this.identity.hiddenTeamIds(actor),
    };
    const cursor = after ? decodeFollowUpCursor(after) : null;
    const rows = await this.repo.list(this.tx.db, f, cursor, limit + 1);
    return toConnection(
      rows,
      limit,
      (r) => FOLLOW_UPS_KEYSET.encode([r.dueKey, r.id]),
      (r) => r,
      !!cursor,
    );
  }

  async create(actor: Actor, input: CreateFollowUpInput): Promise<FollowUpRow> {
    const hasTicket = input.ticketId != null;
    const hasCustomer = input.customerId != null;
    if (hasTicket === hasCustomer) {
      throw badInput(
        hasTicket ? 'customerId' : 'ticketId',
        'give exactly one of ticketId or customerId (a ticket implies its customer)',
      );
    }
    const ticketId = hasTicket ? validateId(input.ticketId!, 'ticketId') : null;
    const customerId = hasCustomer ? validateId(input.customerId!, 'customerId') : null;
    const ownerId = input.ownerId != null ? validateId(input.ownerId, 'ownerId') : actor.id;
    const kind = validateKind(input.kind);
    const dueAt = validateDueAt(input.dueAt);
    const note = validateOptionalText(input.note, 'note');
    // a private team's ticket the actor may not read is NOT_FOUND (read before the transaction)
    const hidden = ticketId ? await this.identity.hiddenTeamIds(actor) : [];
    return this.tx.run(async (tx) => {
      let customer: string;
      if (ticketId) {
        const c = await this.repo.customerOfTicket(tx, ticketId, hidden);
        if (!c) throw notFound('ticket', ticketId);
        customer = c;
      } else {
        if (!(await this.repo.customerExists(tx, customerId!)))
          throw notFound('customer', customerId!);
        customer = customerId!;
      }
      const owner = await this.repo.ownerById(tx, ownerId);
      if (!owner) throw notFound('user', ownerId);
      if (!owner.active)
        throw badInput('ownerId', `user ${ownerId} is deactivated and cannot own follow-ups`);
      return this.insert(tx, {
        customerId: customer,
        ticketId,
        ownerId,
        kind,
        dueAt,
        note,
        createdById: actor.id,
      });
    });
  }

  /**
   * Opens a follow-up inside the caller's transaction (for other modules, e.g. a bad survey
   * answer or a risk alert). The caller vouches for the customer, ticket and owner; foreign keys
   * still refuse ids that do not exist.
   */
  async openForOwner(tx: Tx, input: OpenForOwnerInput): Promise<FollowUpRow> {
    return this.insert(tx, {
      customerId: validateId(input.customerId, 'customerId'),
      ticketId: input.ticketId != null ? validateId(input.ticketId, 'ticketId') : null,
      ownerId: validateId(input.ownerId, 'ownerId'),
      kind: validateKind(input.kind),
      dueAt: validateDueAt(input.dueAt),
      note: validateOptionalText(input.note, 'note'),
      createdById: input.createdById != null ? validateId(input.createdById, 'createdById') : null,
      surveyId: input.surveyId ?? null,
    });
  }

  /**
   * Completes every open follow-up of `kind` on a customer inside the caller's transaction (e.g.
   * an account manager logging the outreach an at-risk alert asked for). Returns the closed rows.
   */
  async completeOpenForCustomer(
    tx: Tx,
    actor: Actor,
    customerId: string,
    kind: FollowUpKind,
    outcome: string,
  ): Promise<FollowUpRow[]> {
    const text = validateOutcome(outcome);
    const open = await this.repo.lockOpenForCustomer(
      tx,
      validateId(customerId, 'customerId'),
      kind,
    );
    const closed: FollowUpRow[] = [];
    for (const f of open) {
      closed.push(await this.repo.close(tx, f.id, 'done', text));
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'follow_up.complete',
        entity: 'follow_up',
        entityId: f.id,
        details: { outcomeLength: text.length },
      });
    }
    return closed;
  }

  /**
   * A ticket merged into another (libs/automations): its open follow-ups now concern the ticket
   * that stays, in the caller's transaction. Closed ones keep their ticket.
   */
  moveOpenToTicket(tx: Tx, fromTicketId: string, toTicketId: string): Promise<void> {
    return this.repo.moveOpenToTicket(tx, fromTicketId, toTicketId);
  }

  async complete(actor: Actor, id: string, outcome: string): Promise<FollowUpRow> {
    validateId(id);
    const text = validateOutcome(outcome);
    return this.change(actor, id, 'complete', 'completed', async (tx) => {
      const after = await this.repo.close(tx, id, 'done', text);
      return { after, action: 'follow_up.complete', details: { outcomeLength: text.length } };
    });
  }

  async cancel(actor: Actor, id: string, reason: string | null | undefined): Promise<FollowUpRow> {
    validateId(id);
    const text = validateOptionalText(reason, 'reason');
    return this.change(actor, id, 'cancel', 'cancelled', async (tx) => {
      const after = await this.repo.close(tx, id, 'cancelled', text);
      return { after, action: 'follow_up.cancel', details: { reason: text } };
    });
  }

  async reschedule(actor: Actor, id: string, dueAt: Date): Promise<FollowUpRow> {
    validateId(id);
    const due = validateDueAt(dueAt);
    return this.change(actor, id, 'reschedule', 'rescheduled', async (tx, before) => {
      const after = await this.repo.reschedule(tx, id, due);
      return {
        after,
        action: 'follow_up.reschedule',
        details: { from: before.dueAt.toISOString(), to: due.toISOString() },
      };
    });
  }

  /** Open follow-ups that fell due and were not reminded yet (for the reminder scan). */
  dueForReminder(limit: number): Promise<{ id: string; dueKey: string }[]> {
    return this.repo.dueForReminder(this.tx.db, limit);
  }

  forReminder(id: string): Promise<ReminderRow | null> {
    return this.repo.forReminder(this.tx.db, validateId(id, 'followUpId'));
  }

  /**
   * Records that the owner was reminded; false when someone else already did. With `ownerId`
   * (a real reminder, not a skip) it also tells the owner's open consoles (`followUpDue`).
   */
  markReminded(
    id: string,
    details: Record<string, unknown> = {},
    ownerId?: string,
  ): Promise<boolean> {
    return this.tx.run(async (tx) => {
      const marked = await this.repo.markReminded(tx, id);
      if (marked && ownerId) {
        await this.outbox.record(tx, {
          type: 'followup.due',
          payload: { followUpId: id, ownerId },
        });
      }
      if (marked) {
        await this.audit.record(tx, {
          actorId: null,
          action: 'follow_up.remind',
          entity: 'follow_up',
          entityId: id,
          details,
        });
      }
      return marked;
    });
  }

  private async insert(tx: Tx, row: NewFollowUp): Promise<FollowUpRow> {
    const f = await this.repo.insert(tx, row);
    await this.audit.record(tx, {
      actorId: row.createdById,
      action: 'follow_up.create',
      entity: 'follow_up',
      entityId: f.id,
      details: {
        kind: f.kind,
        customerId: f.customerId,
        ticketId: f.ticketId,
        ownerId: f.ownerId,
        dueAt: f.dueAt.toISOString(),
      },
    });
    return f;
  }

  /** Lock, check who may and that it is open, apply, audit: one transaction. */
  private change(
    actor: Actor,
    id: string,
    verb: string,
    participle: string,
    apply: (
      tx: Tx,
      before: FollowUpRow,
    ) => Promise<{ after: FollowUpRow; action: AuditAction; details: Record<string, unknown> }>,
  ): Promise<FollowUpRow> {
    return this.tx.run(async (tx) => {
      const before = await this.repo.lockById(tx, id);
      if (!before) throw notFound('follow-up', id);
      assertMayManage(actor, before, verb);
      assertOpen(before, participle);
      const { after, action, details } = await apply(tx, before);
      await this.audit.record(tx, {
        actorId: actor.id,
        action,
        entity: 'follow_up',
        entityId: id,
        details,
      });
      return after;
    });
  }
}
