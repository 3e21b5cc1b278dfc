import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  DomainError,
  TransactionRunner,
  Tx,
  badInput,
  forbidden,
  notFound,
} from '@staydesk/core';
import { AttachmentsService } from '@staydesk/attachments';
import { CustomersService } from '@staydesk/customers';
import {
  Actor,
  IdentityService,
  TICKET_WORKERS,
  mayReadNotes,
  mayReadTicket,
  validateId,
} from '@staydesk/identity';
import { addressOf, domainOf } from '@staydesk/mail';
import { OutboxService } from '@staydesk/outbox';
import { MessageKind, nextReplyMet } from './ticket-rules';
import { TicketRow, TicketsRepository } from './tickets.repository';
import { TicketHooks, TicketTrigger } from './ticket-hooks';
import { NewEvent, addPolicyMinutes, changesOf, refreshSla } from './ticket-sla';

/**
 * What every part of TicketsService shares: its dependencies, the read check, locking, the
 * outbox events of a status change, the next-reply clock and the input checks.
 */
@Injectable()
export abstract class TicketsBase {
  constructor(
    protected readonly repo: TicketsRepository,
    protected readonly tx: TransactionRunner,
    protected readonly audit: AuditRepository,
    protected readonly identity: IdentityService,
    protected readonly customers: CustomersService,
    protected readonly outbox: OutboxService,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
    protected readonly attachments: AttachmentsService,
    protected readonly hooks: TicketHooks,
  ) {}

  /** Whether the actor may read this ticket (`mayReadTicket`: private teams for their members). */
  async mayRead(
    actor: Pick<Actor, 'id' | 'role' | 'teamIds'>,
    t: Pick<TicketRow, 'teamId'>,
    tx?: Tx,
  ) {
    if (!t.teamId || actor.role === 'admin') return true;
    const [team] = await this.identity.teamsByIds([t.teamId], tx);
    return mayReadTicket(actor, team);
  }

  /**
   * Locks a ticket in the caller's transaction; a stale `expectedVersion` is CONFLICT. With an
   * actor, a ticket they may not read (a private team's) is NOT_FOUND, as in `ticket(id)`.
   */
  async lockForChange(
    tx: Tx,
    id: string,
    expectedVersion?: number | null,
    actor?: Actor | null,
  ): Promise<TicketRow> {
    const t = await this.repo.lockById(tx, id);
    if (!t || (actor && !(await this.mayRead(actor, t, tx)))) throw notFound('ticket', id);
    if (expectedVersion != null && expectedVersion !== t.version) {
      throw new DomainError(
        'CONFLICT',
        `ticket ${id} was changed by someone else (version ${t.version}, you had ${expectedVersion}); reload it and try again`,
        { field: 'expectedVersion', currentVersion: t.version },
      );
    }
    return t;
  }

  /** Records history events inside the caller's transaction (e.g. "macro applied"). */
  recordEventsInTx(tx: Tx, events: NewEvent[]): Promise<void> {
    return this.repo.insertEvents(tx, events);
  }

  /**
   * A reply's mail bounced or was refused (libs/email): an event by no one at the transaction's
   * time, the server's text cut to 500 characters.
   */
  recordMailEventInTx(
    tx: Tx,
    e: {
      ticketId: string;
      type: 'mail_bounced' | 'mail_failed';
      fromValue: string | null;
      toValue: string | null;
    },
  ): Promise<void> {
    return this.repo.insertSystemEvent(tx, { ...e, toValue: e.toValue?.slice(0, 500) ?? null });
  }

  /** Rebuilds a ticket's search text after its messages moved (merge, split). */
  refreshSearchInTx(tx: Tx, id: string): Promise<void> {
    return this.repo.refreshSearch(tx, id);
  }

  /** Runs the registered hooks (automation rules) for a change made outside this service. */
  runHooks(tx: Tx, ticketId: string, trigger: TicketTrigger, actor: Actor | null) {
    return this.hooks.run(tx, { trigger, ticketId, actor });
  }

  /**
   * Writes a state-machine change of a locked ticket: the SLA fields kept in step with the patch,
   * the row, its history events and the `ticket.updated` outbox event. Returns the saved row.
   */
  protected async saveChange(
    tx: Tx,
    t: TicketRow,
    patch: Partial<TicketRow>,
    events: NewEvent[],
    now: Date,
  ): Promise<TicketRow> {
    refreshSla(t, patch, now);
    const saved = await this.repo.update(tx, t.id, patch, now);
    await this.repo.insertEvents(tx, events);
    await this.outbox.record(tx, {
      type: 'ticket.updated',
      payload: { ticketId: t.id, customerId: t.customerId, changes: changesOf(events) },
    });
    return saved;
  }

  /** Outbox events for a status change: solves schedule surveys, reopens cancel them. */
  protected async statusEvents(tx: Tx, before: TicketRow, after: TicketRow): Promise<void> {
    if (before.status === after.status) return;
    if (after.status === 'solved') {
      await this.outbox.record(tx, {
        type: 'ticket.solved',
        payload: { ticketId: after.id, customerId: after.customerId, solveCycle: after.solveCount },
      });
    } else if (before.status === 'solved' && after.status === 'open') {
      await this.outbox.record(tx, {
        type: 'ticket.reopened',
        payload: {
          ticketId: after.id,
          customerId: after.customerId,
          reopenCount: after.reopenCount,
        },
      });
    }
  }

  /**
   * Next-reply clock around a message (call after the status bookkeeping): a customer message
   * starts it when none runs, the first response was sent and the ticket's policy has a
   * next-reply target; a public reply stops it with `next_reply_met` or `next_reply_breached`
   * (fromValue: when the clock started, toValue: its due time, both ISO).
   */
  protected async nextReplyClock(
    tx: Tx,
    t: TicketRow,
    kind: MessageKind,
    patch: Partial<TicketRow>,
    actorId: string | null,
    now: Date,
  ): Promise<NewEvent[]> {
    const merged = { ...t, ...patch };
    if (kind === 'public_reply' && merged.nextReplyDueAt && merged.nextReplyStartedAt) {
      const met = nextReplyMet({ ...merged, nextReplyDueAt: merged.nextReplyDueAt }, now);
      const due = merged.slaPausedAt
        ? new Date(merged.nextReplyDueAt.getTime() + now.getTime() - merged.slaPausedAt.getTime())
        : merged.nextReplyDueAt;
      patch.nextReplyStartedAt = null;
      patch.nextReplyDueAt = null;
      patch.nextReplyBreached = !met;
      return [
        {
          ticketId: t.id,
          actorId,
          type: met ? 'next_reply_met' : 'next_reply_breached',
          fromValue: merged.nextReplyStartedAt.toISOString(),
          toValue: due.toISOString(),
          createdAt: now,
        },
      ];
    }
    if (
      kind === 'customer_message' &&
      !merged.nextReplyDueAt &&
      merged.firstResponseAt !== null &&
      merged.slaPolicyId &&
      merged.status !== 'solved' &&
      merged.status !== 'closed'
    ) {
      const policy = await this.repo.policyById(tx, merged.slaPolicyId);
      if (!policy?.nextReplyMinutes) return [];
      const team = merged.teamId ? await this.requireTeam(merged.teamId, tx) : null;
      patch.nextReplyStartedAt = now;
      patch.nextReplyDueAt = addPolicyMinutes(policy, now, policy.nextReplyMinutes, team);
    }
    return [];
  }

  /** Outbox: someone was given a ticket (the assignee may get a mail about it). */
  protected assigned(
    tx: Tx,
    ticketId: string,
    assigneeId: string,
    byUserId: string | null,
    at: Date,
  ) {
    return this.outbox.record(tx, {
      type: 'ticket.assigned',
      payload: { ticketId, assigneeId, byUserId, at: at.toISOString() },
    });
  }

  protected mailDomain(): string {
    return (
      domainOf(addressOf(this.config.mail.from) ?? 'support@staydesk.local') || 'staydesk.local'
    );
  }

  protected requireWorker(actor: Actor, what: string) {
    if (!TICKET_WORKERS.includes(actor.role)) throw forbidden(`a ${actor.role} may not ${what}`);
  }

  protected async requireAssignee(id: string) {
    validateId(id, 'assigneeId');
    const [u] = await this.identity.usersByIds([id]);
    if (!u) throw notFound('user', id);
    if (!u.active) throw badInput('assigneeId', `user ${id} is deactivated`);
    if (!TICKET_WORKERS.includes(u.role))
      throw badInput('assigneeId', `user ${id} is a ${u.role} and does not work tickets`);
  }

  protected async requireTeam(id: string, tx?: Tx) {
    validateId(id, 'teamId');
    const [team] = await this.identity.teamsByIds([id], tx);
    if (!team) throw notFound('team', id);
    return team;
  }

  /**
   * Moving a ticket out of a private team would hand its internal notes to the new team: only
   * that team's members, its lead and admins may do it.
   */
  protected async assertMayMoveOut(tx: Tx, actor: Actor, t: TicketRow) {
    const [team] = await this.identity.teamsByIds([t.teamId!], tx);
    if (!team || mayReadNotes(actor, team) || team.leadId === actor.id) return;
    throw forbidden(
      `ticket ${t.id} belongs to the private team "${team.name}": only its members, its lead and admins may move it to another team`,
    );
  }
}
