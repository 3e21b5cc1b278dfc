// Over 400 lines on purpose: the top layer of TicketsService (decision 51); create() alone is ~140.
import { Injectable } from '@nestjs/common';
import { Tx, badInput, notFound } from '@staydesk/core';
import { Actor, validateId } from '@staydesk/identity';
import { currentTraceCarrier } from '@staydesk/telemetry';
import { sentimentOf } from './sentiment';
import {
  CHANNELS,
  Channel,
  MessageKind,
  PRIORITIES,
  Priority,
  TICKET_STATUSES,
  TicketStatus,
  assertMove,
  normalizeTags,
  validateBody,
  validateSubject,
} from './ticket-rules';
import {
  TicketCursor,
  TicketFilter,
  TicketOrder,
  TicketRelations,
  TicketRow,
  TicketWithRelations,
} from './tickets.repository';
import {
  NewEvent,
  applyStatus,
  changesOf,
  dueTimes,
  newTicketSla,
  refreshSla,
  selfAssign,
} from './ticket-sla';
import type { TicketDraft } from './ticket-hooks';
import type { PageRecord, QueueSelection } from './tickets.queue-page';
import { TicketsConversation } from './tickets.conversation';

export interface CreateTicketInput {
  requesterId: string;
  customerId?: string | null;
  subject: string;
  channel: Channel;
  priority?: Priority | null;
  assigneeId?: string | null;
  teamId?: string | null;
  tags?: string[] | null;
  /** The first message: what the customer wrote (customer_message) or what the agent sent (public_reply). */
  message?: { body: string; kind: MessageKind } | null;
}

export interface UpdateTicketInput {
  subject?: string | null;
  priority?: Priority | null;
  tags?: string[] | null;
  assigneeId?: string | null;
  teamId?: string | null;
  expectedVersion?: number | null;
}

/**
 * Tickets: the conversation, the status state machine, SLA due times, and their history. The class
 * is built in layers, one file each: tickets.base.ts, tickets.upkeep.ts, tickets.conversation.ts.
 */
@Injectable()
export class TicketsService extends TicketsConversation {
  byIds(ids: readonly string[]) {
    return this.repo.byIds(this.tx.db, ids);
  }

  lastMessages(ids: readonly string[], includeNotes: boolean) {
    return this.repo.lastMessages(this.tx.db, ids, includeNotes);
  }

  events(ids: readonly string[]) {
    return this.repo.events(this.tx.db, ids);
  }

  countOpenByCustomer(ids: readonly string[]) {
    return this.repo.countOpenByCustomer(this.tx.db, ids);
  }

  messages(ticketId: string, after: string | null, limit: number, includeNotes = true) {
    return this.repo.messages(this.tx.db, ticketId, after, limit, includeNotes);
  }

  /**
   * One ticket. With an actor, a ticket of a private team they are not in is NOT_FOUND, the
   * same answer as for an id that does not exist, so its existence does not leak.
   */
  async ticket(id: string, actor?: Actor | null): Promise<TicketRow> {
    const [t] = await this.repo.byIds(this.tx.db, [validateId(id)]);
    if (!t || (actor && !(await this.mayRead(actor, t)))) throw notFound('ticket', id);
    return t;
  }

  /**
   * A page of tickets the caller may read (tickets of private teams they are not in are left
   * out; `actor` null: an internal caller that sees everything).
   */
  async list(
    actor: Actor | null,
    filter: TicketFilter,
    order: TicketOrder,
    after: TicketCursor | null,
    limit: number,
    include?: TicketRelations,
  ): Promise<TicketWithRelations[]> {
    return this.repo.list(this.tx.db, this.visibleTo(actor, filter), order, after, limit, include);
  }

  /** The queue page: {@link list} reading only what the query selects (tickets.queue-page.ts). */
  async page(
    actor: Actor,
    filter: TicketFilter,
    order: TicketOrder,
    after: TicketCursor | null,
    limit: number,
    selection: QueueSelection,
  ): Promise<PageRecord[]> {
    return this.repo.page(
      this.tx.db,
      this.visibleTo(actor, filter),
      order,
      after,
      limit,
      selection,
    );
  }

  /** How many tickets the filter finds for the caller, counting at most `cap` (the same rules as `list`). */
  async count(actor: Actor | null, filter: TicketFilter, cap: number): Promise<number> {
    return this.repo.count(this.tx.db, this.visibleTo(actor, filter), cap);
  }

  /** The filter narrowed to what the caller may read (`mayReadTicket`, in the list's own SQL). */
  private visibleTo(actor: Actor | null, filter: TicketFilter): TicketFilter {
    if (!actor || actor.role === 'admin') return filter;
    return { ...filter, viewer: { id: actor.id, teamIds: actor.teamIds } };
  }

  async create(actor: Actor, input: CreateTicketInput): Promise<TicketRow> {
    this.requireWorker(actor, 'create tickets');
    validateId(input.requesterId, 'requesterId');
    if (input.customerId) validateId(input.customerId, 'customerId');
    const subject = validateSubject(input.subject);
    if (!CHANNELS.includes(input.channel))
      throw badInput('channel', `must be one of ${CHANNELS.join(', ')}`);
    const priority = input.priority ?? 'normal';
    if (!PRIORITIES.includes(priority))
      throw badInput('priority', `must be one of ${PRIORITIES.join(', ')}`);
    const tags = normalizeTags(input.tags ?? []);
    if (input.message) {
      validateBody(input.message.body, 'message.body');
      if (input.message.kind === 'internal_note') {
        throw badInput(
          'message.kind',
          'the first message must be public_reply or customer_message',
        );
      }
    }
    // The common creation (no team, assignee or first message) is one autocommit statement:
    // the insert reads its own context and writes the hooks' run, decided from their caches.
    if (!input.teamId && !input.assigneeId && !input.message) {
      const ticket = await this.createInOneStatement(actor, input, subject, priority, tags);
      if (ticket) return ticket;
      // nothing inserted: an unknown contact (the transaction below says which error) or a hook's
      // cache out of date (the transaction reads it again)
    }
    // With a team, the due times follow its business-hours calendar (computed here), so the
    // requester, its customer's tier and the SLA policy are read first, in one statement.
    // Without one (most tickets, and every ticket from a contact form or e-mail), the insert
    // reads them itself: one INSERT … SELECT (issue 19).
    const context = input.teamId
      ? await this.createContextOrFail(this.tx.db, input, priority)
      : null;
    if (input.assigneeId) await this.requireAssignee(input.assigneeId);
    const team = input.teamId ? await this.requireTeam(input.teamId) : null;

    return this.tx.run(async (tx) => {
      const now = new Date();
      const outbound = input.message?.kind === 'public_reply';
      const status: TicketStatus = outbound ? 'open' : 'new';
      // automatic assignment within the team (round robin / least open, available agents under the cap)
      const auto =
        !input.assigneeId && !outbound && input.teamId
          ? await this.repo.pickAutoAssignee(tx, input.teamId)
          : null;
      const firstResponseAt = outbound ? now : null;
      const { row, events, audit, draft } = newTicketDraft(actor, input, {
        subject,
        priority,
        tags,
        status,
        now,
        assigneeId: input.assigneeId ?? (outbound ? actor.id : (auto?.userId ?? null)),
        firstResponseAt,
        customerId: context?.customerId ?? input.customerId ?? null,
      });
      if (auto) {
        // the event names the rule that chose the agent (fromValue) and the agent (toValue)
        events.push({
          actorId: null,
          type: 'auto_assigned',
          fromValue: `${auto.mode} in team ${input.teamId} (cap ${auto.cap})`,
          toValue: auto.userId,
          createdAt: now,
        });
      }
      if (outbound) {
        events.push({
          actorId: actor.id,
          type: 'first_response',
          fromValue: null,
          toValue: null,
          createdAt: now,
        });
      }
      // creation rules decided on the new ticket's own facts are written by the insert itself
      // (their events, changes, audit and outbox rows as if made after it); with an assignee the
      // `ticket.assigned` outbox row would come before theirs, so such tickets run them after
      const folded = row.assigneeId ? null : await this.hooks.beforeCreate(tx, draft);
      if (folded) {
        row.tags = folded.fold.tags;
        events.push(...folded.fold.events.map((e) => ({ ...e, createdAt: now })));
      }
      const updates = folded?.fold.updates ?? [];
      const outbox = { type: 'ticket.created', traceContext: currentTraceCarrier() };
      // the ticket, its events, the audit row and the outbox event: one statement
      let ticket: TicketRow;
      if (context) {
        ticket = await this.repo.insertCreated(
          tx,
          {
            ...row,
            customerId: context.customerId,
            teamId: input.teamId ?? null,
            ...newTicketSla(context.policy, now, team, { status, firstResponseAt }),
          },
          events,
          audit,
          outbox,
          updates,
        );
      } else {
        const created = await this.repo.insertCreatedResolving(
          tx,
          { ...row, customerId: input.customerId ?? null },
          events,
          audit,
          outbox,
          updates,
        );
        // nothing inserted: an unknown contact, or one of another customer (says which)
        if (!created) {
          await this.createContextOrFail(tx, input, priority);
          throw new Error(`createTicket: no contact ${input.requesterId} to insert with`);
        }
        ticket = created;
      }
      const requester = { id: ticket.requesterId, customerId: ticket.customerId };
      if (input.message) {
        const customerWrote = input.message.kind === 'customer_message';
        await this.repo.insertMessage(tx, {
          ticketId: ticket.id,
          kind: input.message.kind,
          authorUserId: customerWrote ? null : actor.id,
          authorContactId: customerWrote ? requester.id : null,
          body: input.message.body,
          sentiment: customerWrote ? sentimentOf(input.message.body) : null,
          createdAt: now,
        });
      }
      if (ticket.assigneeId) await this.assigned(tx, ticket.id, ticket.assigneeId, actor.id, now);
      await this.hooks.run(
        tx,
        { trigger: 'ticket_created', ticketId: ticket.id, actor },
        folded?.hook,
      );
      return ticket;
    });
  }

  /**
   * createTicket without a team, an assignee or a first message as one autocommit statement
   * (issue 19): `insertCreatedResolving` reads the requester, its customer and the SLA policy,
   * and writes the ticket, its events, the audit and outbox rows and the creation rules' fold,
   * decided from the rules cache (`TicketHooks.foldFromCache`) and checked by the statement. No
   * other statement, so no transaction of its own: one round trip instead of four (BEGIN, the
   * rules' version, the insert, COMMIT). Null when nothing was inserted (an unknown contact, a
   * contact of another customer, a cache out of date) or no fold is cached: the caller then
   * creates the ticket the usual way, which answers the errors.
   */
  private async createInOneStatement(
    actor: Actor,
    input: CreateTicketInput,
    subject: string,
    priority: Priority,
    tags: string[],
  ): Promise<TicketRow | null> {
    const now = new Date();
    const { row, events, audit, draft } = newTicketDraft(actor, input, {
      subject,
      priority,
      tags,
      status: 'new',
      now,
      assigneeId: null,
      firstResponseAt: null,
      customerId: input.customerId ?? null,
    });
    const folded = this.hooks.foldFromCache(draft);
    if (!folded) return null;
    row.tags = folded.fold.tags;
    events.push(...folded.fold.events.map((e) => ({ ...e, createdAt: now })));
    return this.repo.insertCreatedResolving(
      this.tx.db,
      { ...row, customerId: input.customerId ?? null },
      events,
      audit,
      { type: 'ticket.created', traceContext: currentTraceCarrier() },
      folded.fold.updates,
      folded.current,
    );
  }

  /**
   * The requester, its customer and the SLA policy for a new ticket (`createContext`); NOT_FOUND
   * for an unknown contact, BAD_USER_INPUT for a contact of another customer than `customerId`.
   */
  private async createContextOrFail(
    tx: Tx,
    input: Pick<CreateTicketInput, 'requesterId' | 'customerId' | 'channel'>,
    priority: Priority,
  ) {
    const context = await this.repo.createContext(tx, input.requesterId, priority, input.channel);
    if (!context) throw notFound('contact', input.requesterId);
    if (input.customerId && input.customerId !== context.customerId) {
      throw badInput(
        'customerId',
        `contact ${context.requesterId} belongs to customer ${context.customerId}, not ${input.customerId}`,
      );
    }
    return context;
  }

  async update(
    actor: Actor,
    id: string,
    input: UpdateTicketInput,
    given: Set<string>,
  ): Promise<TicketRow> {
    this.requireWorker(actor, 'change tickets');
    validateId(id);
    return this.tx.run((tx) => this.updateInTx(tx, actor, id, input, given));
  }

  /**
   * `update` inside the caller's transaction (macros apply several changes as one unit).
   * `source` names what made the change (e.g. a macro), recorded in the audit log.
   */
  async updateInTx(
    tx: Tx,
    actor: Actor,
    id: string,
    input: UpdateTicketInput,
    given: Set<string>,
  ): Promise<TicketRow> {
    this.requireWorker(actor, 'change tickets');
    const subject = input.subject != null ? validateSubject(input.subject) : undefined;
    if (input.priority != null && !PRIORITIES.includes(input.priority)) {
      throw badInput('priority', `must be one of ${PRIORITIES.join(', ')}`);
    }
    const tags = input.tags != null ? normalizeTags(input.tags) : undefined;
    if (input.assigneeId) await this.requireAssignee(input.assigneeId);
    const newTeam = input.teamId ? await this.requireTeam(input.teamId, tx) : null;
    {
      const t = await this.lockForChange(tx, id, input.expectedVersion, actor);
      const now = new Date();
      const patch: Partial<TicketRow> = {};
      const events: NewEvent[] = [];
      const change = (type: string, from: string | null, to: string | null) =>
        events.push({
          ticketId: id,
          actorId: actor.id,
          type,
          fromValue: from,
          toValue: to,
          createdAt: now,
        });

      if (subject !== undefined && subject !== t.subject) {
        patch.subject = subject;
        change('subject_changed', t.subject, subject);
      }
      if (tags !== undefined && tags.join(',') !== t.tags.join(',')) {
        patch.tags = tags;
        change('tags_changed', t.tags.join(','), tags.join(','));
      }
      if (given.has('assigneeId') && (input.assigneeId ?? null) !== t.assigneeId) {
        patch.assigneeId = input.assigneeId ?? null;
        change('assignee_changed', t.assigneeId, input.assigneeId ?? null);
      }
      if (given.has('teamId') && (input.teamId ?? null) !== t.teamId) {
        if (t.teamId) await this.assertMayMoveOut(tx, actor, t);
        patch.teamId = input.teamId ?? null;
        change('team_changed', t.teamId, input.teamId ?? null);
      }
      const priority = input.priority ?? t.priority;
      if (priority !== t.priority || patch.teamId !== undefined) {
        if (priority !== t.priority) {
          patch.priority = priority;
          change('priority_changed', t.priority, priority);
        }
        // due times follow the new priority (and the new team's calendar), measured from creation
        const [customer] = await this.customers.byIds([t.customerId], tx);
        const policy = await this.repo.policyFor(tx, priority, t.channel, customer.tier);
        const team =
          patch.teamId !== undefined
            ? newTeam
            : t.teamId
              ? await this.requireTeam(t.teamId, tx)
              : null;
        const due = dueTimes(policy, t.createdAt, team);
        // the resolution target keeps the time the clock was paused
        if (due.resolutionDueAt && t.slaPausedSeconds > 0)
          due.resolutionDueAt = new Date(due.resolutionDueAt.getTime() + t.slaPausedSeconds * 1000);
        Object.assign(patch, { slaPolicyId: policy?.id ?? null }, due);
        refreshSla(t, patch, now);
      }
      if (events.length === 0) return t;
      const saved = await this.repo.update(tx, id, patch, now);
      if (patch.subject !== undefined) await this.repo.refreshSearch(tx, id);
      await this.repo.insertEvents(tx, events);
      await this.outbox.record(tx, {
        type: 'ticket.updated',
        payload: { ticketId: id, customerId: t.customerId, changes: changesOf(events) },
      });

      if (patch.assigneeId) await this.assigned(tx, id, patch.assigneeId, actor.id, now);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'ticket.update',
        entity: 'ticket',
        entityId: id,
        details: { changed: events.map((e) => e.type) },
      });
      await this.hooks.run(tx, { trigger: 'ticket_updated', ticketId: id, actor });
      return saved;
    }
  }

  async changeStatus(
    actor: Actor,
    id: string,
    to: TicketStatus,
    expectedVersion?: number | null,
  ): Promise<TicketRow> {
    this.requireWorker(actor, 'change ticket status');
    validateId(id);
    if (!TICKET_STATUSES.includes(to))
      throw badInput('status', `must be one of ${TICKET_STATUSES.join(', ')}`);
    return this.tx.run((tx) => this.changeStatusInTx(tx, actor, id, to, expectedVersion));
  }

  /** `changeStatus` inside the caller's transaction. */
  async changeStatusInTx(
    tx: Tx,
    actor: Actor,
    id: string,
    to: TicketStatus,
    expectedVersion?: number | null,
  ): Promise<TicketRow> {
    this.requireWorker(actor, 'change ticket status');
    {
      const t = await this.lockForChange(tx, id, expectedVersion, actor);
      assertMove(t.status, to);
      const now = new Date();
      const patch: Partial<TicketRow> = {};
      const events = applyStatus(t, to, patch, actor, now);
      if (to === 'solved') events.push(...selfAssign(t, patch, actor, now));
      const saved = await this.saveChange(tx, t, patch, events, now);
      await this.statusEvents(tx, t, saved);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'ticket.status',
        entity: 'ticket',
        entityId: id,
        details: { from: t.status, to },
      });
      await this.hooks.run(tx, { trigger: 'ticket_updated', ticketId: id, actor });
      return saved;
    }
  }
}

/** A new ticket's row, its `created` event, its audit row and the hooks' draft of it. */
function newTicketDraft(
  actor: Actor,
  input: CreateTicketInput,
  d: {
    subject: string;
    priority: Priority;
    tags: string[];
    status: TicketStatus;
    now: Date;
    assigneeId: string | null;
    firstResponseAt: Date | null;
    customerId: string | null;
  },
) {
  const events: Omit<NewEvent, 'ticketId'>[] = [
    { actorId: actor.id, type: 'created', fromValue: null, toValue: d.status, createdAt: d.now },
  ];
  const row = {
    requesterId: input.requesterId,
    subject: d.subject,
    channel: input.channel,
    priority: d.priority,
    status: d.status,
    assigneeId: d.assigneeId,
    tags: d.tags,
    createdById: actor.id,
    firstResponseAt: d.firstResponseAt,
    lastMessageAt: input.message ? d.now : null,
    createdAt: d.now,
  };
  const audit = {
    actorId: actor.id,
    action: 'ticket.create',
    details: { channel: input.channel, priority: d.priority },
  };
  const draft: TicketDraft = {
    channel: row.channel,
    priority: d.priority,
    status: d.status,
    customerId: d.customerId,
    teamId: input.teamId ?? null,
    assigneeId: row.assigneeId,
    tags: d.tags,
    subject: d.subject,
    customerText: input.message?.kind === 'customer_message' ? input.message.body : '',
    createdAt: d.now,
  };
  return { row, events, audit, draft };
}
