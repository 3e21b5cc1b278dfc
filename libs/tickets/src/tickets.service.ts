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
  WeeklyHours,
  addBusinessMinutes,
  mayReadNotes,
  mayReadTicket,
  validateId,
} from '@staydesk/identity';
import { addressOf, domainOf, newMessageId } from '@staydesk/mail';
import { OutboxService } from '@staydesk/outbox';
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
  nextDueAt,
  normalizeTags,
  slaClockAfterMove,
  nextReplyMet,
  slaBreaches,
  statusAfterMessage,
  validateBody,
  validateSubject,
} from './ticket-rules';
import {
  EventRow,
  MessageRow,
  SlaPolicyRow,
  TicketCursor,
  TicketFilter,
  TicketOrder,
  TicketRelations,
  TicketRow,
  TicketWithRelations,
  TicketsRepository,
} from './tickets.repository';
import { TicketHooks, TicketTrigger } from './ticket-hooks';

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

type NewEvent = Omit<EventRow, 'id'>;

/** History rows as the outbox carries them (live updates tell subscribers what changed). */
const changesOf = (events: NewEvent[]) =>
  events.map((e) => ({ type: e.type, from: e.fromValue, to: e.toValue }));

const CC_LIMIT = 20;

/** CCs of a public reply: plain addresses, at most 20, duplicates removed. */
function validateCc(cc: string[] | null | undefined, kind: MessageKind): string[] {
  if (!cc?.length) return [];
  if (kind !== 'public_reply') throw badInput('cc', 'only public replies are mailed');
  if (cc.length > CC_LIMIT) throw badInput('cc', `at most ${CC_LIMIT} addresses`);
  const out = new Set<string>();
  for (const raw of cc) {
    const a = raw.trim().toLowerCase();
    if (!/^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$/.test(a) || a.length > 254) {
      throw badInput('cc', `"${raw.slice(0, 100)}" is not an e-mail address`);
    }
    out.add(a);
  }
  return [...out];
}

/** Tickets: the conversation, the status state machine, SLA due times, and their history. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly repo: TicketsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly customers: CustomersService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attachments: AttachmentsService,
    private readonly hooks: TicketHooks,
  ) {}

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
      const events: Omit<NewEvent, 'ticketId'>[] = [
        { actorId: actor.id, type: 'created', fromValue: null, toValue: status, createdAt: now },
      ];
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
      const row = {
        requesterId: input.requesterId,
        subject,
        channel: input.channel,
        priority,
        status,
        assigneeId: input.assigneeId ?? (outbound ? actor.id : (auto?.userId ?? null)),
        tags,
        createdById: actor.id,
        firstResponseAt,
        lastMessageAt: input.message ? now : null,
        createdAt: now,
      };
      const audit = {
        actorId: actor.id,
        action: 'ticket.create',
        details: { channel: input.channel, priority },
      };
      const outbox = { type: 'ticket.created', traceContext: currentTraceCarrier() };
      // the ticket, its events, the audit row and the outbox event: one statement
      let ticket: TicketRow;
      if (context) {
        const due = this.dueTimes(context.policy, now, team);
        ticket = await this.repo.insertCreated(
          tx,
          {
            ...row,
            customerId: context.customerId,
            teamId: input.teamId ?? null,
            slaPolicyId: context.policy?.id ?? null,
            ...due,
            nextDueAt: nextDueAt({ status, firstResponseAt, solvedAt: null, ...due }),
          },
          events,
          audit,
          outbox,
        );
      } else {
        const created = await this.repo.insertCreatedResolving(
          tx,
          { ...row, customerId: input.customerId ?? null },
          events,
          audit,
          outbox,
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
      await this.hooks.run(tx, { trigger: 'ticket_created', ticketId: ticket.id, actor });
      return ticket;
    });
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
        const due = this.dueTimes(policy, t.createdAt, team);
        // the resolution target keeps the time the clock was paused
        if (due.resolutionDueAt && t.slaPausedSeconds > 0)
          due.resolutionDueAt = new Date(due.resolutionDueAt.getTime() + t.slaPausedSeconds * 1000);
        Object.assign(patch, { slaPolicyId: policy?.id ?? null }, due);
        this.refreshSla(t, patch, now);
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

  /**
   * Adds a message. A public reply is the first response if none was sent yet; a customer
   * message wakes a pending/on-hold ticket and reopens a solved one; closed tickets take notes only.
   */
  async addMessage(
    actor: Actor,
    id: string,
    kind: MessageKind,
    body: string,
    options: {
      contactId?: string | null;
      expectedVersion?: number | null;
      /** Public replies: more recipients of the mail (the requester always gets it). */
      cc?: string[] | null;
      /** Uploads (POST /attachments) of the actor to attach to this reply or note. */
      attachmentIds?: string[] | null;
    } = {},
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    if (kind === 'internal_note') {
      if (![...TICKET_WORKERS, 'account_manager'].includes(actor.role))
        throw forbidden(`a ${actor.role} may not add notes`);
    } else {
      this.requireWorker(
        actor,
        kind === 'public_reply' ? 'reply to customers' : 'record customer messages',
      );
    }
    validateId(id);
    validateBody(body);
    if (options.contactId) validateId(options.contactId, 'contactId');
    const cc = validateCc(options.cc, kind);
    return this.tx.run((tx) => this.addMessageInTx(tx, actor, id, kind, body, { ...options, cc }));
  }

  /** `addMessage` inside the caller's transaction (the caller checked the role and the body). */
  async addMessageInTx(
    tx: Tx,
    actor: Actor,
    id: string,
    kind: MessageKind,
    body: string,
    options: {
      contactId?: string | null;
      expectedVersion?: number | null;
      /** Public replies: more recipients of the mail, already checked (validateCc). */
      cc?: string[];
      attachmentIds?: string[] | null;
    } = {},
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    {
      const t = await this.lockForChange(tx, id, options.expectedVersion, actor);
      if (t.status === 'closed' && kind !== 'internal_note') {
        throw badInput('id', `ticket ${id} is closed: closed is final, open a new ticket instead`);
      }
      let authorContactId: string | null = null;
      if (kind === 'customer_message') {
        authorContactId = options.contactId ?? t.requesterId;
        if (options.contactId) {
          const [contact] = await this.customers.contactsByIds([options.contactId], tx);
          if (!contact) throw notFound('contact', options.contactId);
          if (contact.customerId !== t.customerId) {
            throw badInput(
              'contactId',
              `contact ${contact.id} does not belong to this ticket's customer`,
            );
          }
        }
      }
      const now = new Date();
      const message = await this.repo.insertMessage(tx, {
        ticketId: id,
        kind,
        authorUserId: kind === 'customer_message' ? null : actor.id,
        authorContactId,
        body,
        sentiment: kind === 'customer_message' ? sentimentOf(body) : null,
        createdAt: now,
      });
      if (options.attachmentIds?.length) {
        if (kind === 'customer_message')
          throw badInput('attachmentIds', 'only replies and notes take uploads');
        await this.attachments.linkToMessage(tx, actor, options.attachmentIds, message.id);
      }
      if (kind === 'public_reply') {
        // the e-mail goes out through the outbox event below; its envelope is fixed now
        await this.repo.queueReplyMail(
          tx,
          message.id,
          newMessageId(this.mailDomain()),
          options.cc ?? [],
        );
      }
      const patch: Partial<TicketRow> = { lastMessageAt: now };
      const events: NewEvent[] = [];
      if (kind === 'public_reply' && t.firstResponseAt === null) {
        patch.firstResponseAt = now;
        events.push({
          ticketId: id,
          actorId: actor.id,
          type: 'first_response',
          fromValue: null,
          toValue: null,
          createdAt: now,
        });
      }
      if (kind === 'public_reply' && t.assigneeId === null) {
        patch.assigneeId = actor.id;
        events.push({
          ticketId: id,
          actorId: actor.id,
          type: 'assignee_changed',
          fromValue: null,
          toValue: actor.id,
          createdAt: now,
        });
      }
      if (t.status !== 'closed') {
        const to = statusAfterMessage(t.status, kind);
        if (to !== t.status) events.push(...this.applyStatus(t, to, patch, actor, now));
      }
      if (t.status !== 'closed')
        events.push(...(await this.nextReplyClock(tx, t, kind, patch, actor.id, now)));
      this.refreshSla(t, patch, now);
      const saved = await this.repo.update(tx, id, patch, now);
      await this.repo.insertEvents(tx, events);
      await this.outbox.record(tx, {
        type: 'ticket.message_added',
        payload: {
          ticketId: id,
          customerId: t.customerId,
          messageId: message.id,
          kind,
          changes: changesOf(events),
        },
      });
      await this.statusEvents(tx, t, saved);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: `ticket.${kind}`,
        entity: 'ticket',
        entityId: id,
        details: { messageId: message.id },
      });
      if (kind === 'customer_message')
        await this.hooks.run(tx, { trigger: 'customer_message', ticketId: id, actor });
      return { ticket: saved, message };
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
      const events = this.applyStatus(t, to, patch, actor, now);
      if (to === 'solved' && t.assigneeId === null) {
        patch.assigneeId = actor.id;
        events.push({
          ticketId: id,
          actorId: actor.id,
          type: 'assignee_changed',
          fromValue: null,
          toValue: actor.id,
          createdAt: now,
        });
      }
      this.refreshSla(t, patch, now);
      const saved = await this.repo.update(tx, id, patch, now);
      await this.repo.insertEvents(tx, events);
      await this.outbox.record(tx, {
        type: 'ticket.updated',
        payload: { ticketId: id, customerId: t.customerId, changes: changesOf(events) },
      });
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

  /** Outbox events for a status change: solves schedule surveys, reopens cancel them. */
  private async statusEvents(tx: Tx, before: TicketRow, after: TicketRow): Promise<void> {
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

  /** Status bookkeeping shared by explicit moves and message-driven moves. */
  private applyStatus(
    t: TicketRow,
    to: TicketStatus,
    patch: Partial<TicketRow>,
    actor: Pick<Actor, 'id'> | null,
    now: Date,
  ): NewEvent[] {
    patch.status = to;
    Object.assign(patch, slaClockAfterMove({ ...t, ...patch }, to, now));
    if (to === 'solved') {
      patch.solvedAt = now;
      patch.solveCount = t.solveCount + 1;
    }
    if (t.status === 'solved' && to === 'open') patch.reopenCount = t.reopenCount + 1;
    if (to === 'closed') patch.closedAt = now;
    // solving or closing stops a running next-reply clock (no reply: neither met nor breached)
    if ((to === 'solved' || to === 'closed') && t.nextReplyDueAt) {
      patch.nextReplyStartedAt = null;
      patch.nextReplyDueAt = null;
    }
    return [
      {
        ticketId: t.id,
        actorId: actor?.id ?? null,
        type: 'status_changed',
        fromValue: t.status,
        toValue: to,
        createdAt: now,
      },
    ];
  }

  /** Keeps next_due_at and the breach flags consistent with a pending change. */
  private refreshSla(t: TicketRow, patch: Partial<TicketRow>, now: Date) {
    const merged = { ...t, ...patch };
    patch.nextDueAt = nextDueAt(merged);
    const b = slaBreaches(merged, now);
    // once breached, a flag stays (a breach is history, not state), unless the targets moved
    const targetsMoved =
      patch.firstResponseDueAt !== undefined || patch.resolutionDueAt !== undefined;
    patch.firstResponseBreached = targetsMoved
      ? b.firstResponse
      : t.firstResponseBreached || b.firstResponse;
    patch.resolutionBreached = targetsMoved ? b.resolution : t.resolutionBreached || b.resolution;
    // the flag belongs to the current (or last) next-reply clock: a new clock starts unbreached
    // (a reply that stopped the clock has already set it)
    if (patch.nextReplyStartedAt) patch.nextReplyBreached = b.nextReply;
    else if (patch.nextReplyBreached === undefined)
      patch.nextReplyBreached = t.nextReplyBreached || b.nextReply;
  }

  /**
   * Next-reply clock around a message (call after the status bookkeeping): a customer message
   * starts it when none runs, the first response was sent and the ticket's policy has a
   * next-reply target; a public reply stops it with `next_reply_met` or `next_reply_breached`
   * (fromValue: when the clock started, toValue: its due time, both ISO).
   */
  private async nextReplyClock(
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

  private dueTimes(
    policy: SlaPolicyRow | null,
    from: Date,
    team: {
      timezone: string | null;
      businessHours: Record<string, [string, string][]> | null;
      holidays?: { date: string }[];
    } | null,
  ) {
    if (!policy) return { firstResponseDueAt: null, resolutionDueAt: null };
    const add = (minutes: number) => addPolicyMinutes(policy, from, minutes, team);
    return {
      firstResponseDueAt: add(policy.firstResponseMinutes),
      resolutionDueAt: add(policy.resolutionMinutes),
    };
  }

  /** Records history events inside the caller's transaction (e.g. "macro applied"). */
  recordEventsInTx(tx: Tx, events: NewEvent[]): Promise<void> {
    return this.repo.insertEvents(tx, events);
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

  /** Outbox: someone was given a ticket (the assignee may get a mail about it). */
  private assigned(
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

  private mailDomain(): string {
    return (
      domainOf(addressOf(this.config.mail.from) ?? 'support@staydesk.local') || 'staydesk.local'
    );
  }

  /** E-mail channel: the ticket, locked for a change in the caller's transaction. */
  lockForMail(tx: Tx, id: string): Promise<TicketRow | null> {
    return this.repo.lockById(tx, id);
  }

  /** E-mail channel: tickets by their human number. */
  async byNumber(tx: Tx, number: number): Promise<TicketRow | null> {
    return (await this.repo.byNumber(tx, number)) ?? null;
  }

  /**
   * E-mail channel: a customer's mail opens a ticket (no signed-in actor). Runs in the caller's
   * transaction so the inbound mail row, the ticket and its first message commit together.
   */
  async openFromMail(
    tx: Tx,
    input: {
      requesterId: string;
      customerId: string;
      customerTier: string;
      subject: string;
      body: string;
      /** The closed ticket this mail answered (recorded as a `linked_from` history event). */
      linkedFrom?: string | null;
      at?: Date;
    },
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    const now = input.at ?? new Date();
    const subject = input.subject.trim().slice(0, 250) || '(no subject)';
    const policy = await this.repo.policyFor(tx, 'normal', 'email', input.customerTier);
    const due = this.dueTimes(policy, now, null);
    const ticket = await this.repo.insert(tx, {
      customerId: input.customerId,
      requesterId: input.requesterId,
      subject,
      channel: 'email',
      priority: 'normal',
      status: 'new',
      assigneeId: null,
      teamId: null,
      tags: [],
      createdById: null,
      firstResponseAt: null,
      slaPolicyId: policy?.id ?? null,
      ...due,
      nextDueAt: nextDueAt({ status: 'new', firstResponseAt: null, solvedAt: null, ...due }),
      lastMessageAt: now,
      createdAt: now,
    });
    const events: NewEvent[] = [
      {
        ticketId: ticket.id,
        actorId: null,
        type: 'created',
        fromValue: null,
        toValue: 'new',
        createdAt: now,
      },
    ];
    if (input.linkedFrom) {
      events.push({
        ticketId: ticket.id,
        actorId: null,
        type: 'linked_from',
        fromValue: input.linkedFrom,
        toValue: null,
        createdAt: now,
      });
    }
    await this.repo.insertEvents(tx, events);
    const message = await this.repo.insertMessage(tx, {
      ticketId: ticket.id,
      kind: 'customer_message',
      authorUserId: null,
      authorContactId: input.requesterId,
      body: input.body,
      sentiment: sentimentOf(input.body),
      createdAt: now,
    });
    await this.outbox.record(tx, {
      type: 'ticket.created',
      payload: { ticketId: ticket.id, customerId: ticket.customerId },
    });
    await this.outbox.record(tx, {
      type: 'ticket.message_added',
      payload: {
        ticketId: ticket.id,
        customerId: ticket.customerId,
        messageId: message.id,
        kind: 'customer_message',
      },
    });
    await this.hooks.run(tx, { trigger: 'ticket_created', ticketId: ticket.id, actor: null });
    return { ticket, message };
  }

  /**
   * E-mail channel: a customer's mail on an existing (locked, not closed) ticket. The usual rules
   * apply: it wakes a pending/on-hold ticket and reopens a solved one (a reopen, with its KPIs).
   */
  async addFromMail(
    tx: Tx,
    t: TicketRow,
    contactId: string,
    body: string,
    at: Date = new Date(),
  ): Promise<{ ticket: TicketRow; message: MessageRow }> {
    const message = await this.repo.insertMessage(tx, {
      ticketId: t.id,
      kind: 'customer_message',
      authorUserId: null,
      authorContactId: contactId,
      body,
      sentiment: sentimentOf(body),
      createdAt: at,
    });
    const patch: Partial<TicketRow> = { lastMessageAt: at };
    const to = statusAfterMessage(t.status, 'customer_message');
    const events = to !== t.status ? this.applyStatus(t, to, patch, null, at) : [];
    events.push(...(await this.nextReplyClock(tx, t, 'customer_message', patch, null, at)));
    this.refreshSla(t, patch, at);
    const saved = await this.repo.update(tx, t.id, patch, at);
    await this.repo.insertEvents(tx, events);
    await this.outbox.record(tx, {
      type: 'ticket.message_added',
      payload: {
        ticketId: t.id,
        customerId: t.customerId,
        messageId: message.id,
        kind: 'customer_message',
      },
    });
    await this.statusEvents(tx, t, saved);
    await this.hooks.run(tx, { trigger: 'customer_message', ticketId: t.id, actor: null });
    return { ticket: saved, message };
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
          const events = this.applyStatus(t, 'closed', patch, null, now);
          events.push({
            ticketId: id,
            actorId: null,
            type: 'auto_closed',
            fromValue: null,
            toValue: `${days}d`,
            createdAt: now,
          });
          this.refreshSla(t, patch, now);
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
   * Merge (libs/automations): closes a ticket merged into another from whatever open status it
   * has (the state machine's path is not required: nothing is left to do on it), in the caller's
   * transaction, with the usual `status_changed` event.
   */
  async closeMergedInTx(tx: Tx, actor: Actor, id: string): Promise<TicketRow> {
    const t = await this.lockForChange(tx, id);
    if (t.status === 'closed') return t;
    const now = new Date();
    const patch: Partial<TicketRow> = {};
    const events = this.applyStatus(t, 'closed', patch, actor, now);
    this.refreshSla(t, patch, now);
    const saved = await this.repo.update(tx, id, patch, now);
    await this.repo.insertEvents(tx, events);
    await this.outbox.record(tx, {
      type: 'ticket.updated',
      payload: { ticketId: id, customerId: t.customerId, changes: changesOf(events) },
    });
    return saved;
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
    const due = this.dueTimes(policy, now, team);
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
      slaPolicyId: policy?.id ?? null,
      ...due,
      nextDueAt: nextDueAt({ status: 'new', firstResponseAt: null, solvedAt: null, ...due }),
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

  /** Rebuilds a ticket's search text after its messages moved (merge, split). */
  refreshSearchInTx(tx: Tx, id: string): Promise<void> {
    return this.repo.refreshSearch(tx, id);
  }

  /** Runs the registered hooks (automation rules) for a change made outside this service. */
  runHooks(tx: Tx, ticketId: string, trigger: TicketTrigger, actor: Actor | null) {
    return this.hooks.run(tx, { trigger, ticketId, actor });
  }

  private requireWorker(actor: Actor, what: string) {
    if (!TICKET_WORKERS.includes(actor.role)) throw forbidden(`a ${actor.role} may not ${what}`);
  }

  private async requireAssignee(id: string) {
    validateId(id, 'assigneeId');
    const [u] = await this.identity.usersByIds([id]);
    if (!u) throw notFound('user', id);
    if (!u.active) throw badInput('assigneeId', `user ${id} is deactivated`);
    if (!TICKET_WORKERS.includes(u.role))
      throw badInput('assigneeId', `user ${id} is a ${u.role} and does not work tickets`);
  }

  private async requireTeam(id: string, tx?: Tx) {
    validateId(id, 'teamId');
    const [team] = await this.identity.teamsByIds([id], tx);
    if (!team) throw notFound('team', id);
    return team;
  }

  /**
   * Moving a ticket out of a private team would hand its internal notes to the new team: only
   * that team's members, its lead and admins may do it.
   */
  private async assertMayMoveOut(tx: Tx, actor: Actor, t: TicketRow) {
    const [team] = await this.identity.teamsByIds([t.teamId!], tx);
    if (!team || mayReadNotes(actor, team) || team.leadId === actor.id) return;
    throw forbidden(
      `ticket ${t.id} belongs to the private team "${team.name}": only its members, its lead and admins may move it to another team`,
    );
  }
}

/** `from` + `minutes` of the policy's clock: business time on the team's calendar when it has one. */
function addPolicyMinutes(
  policy: SlaPolicyRow,
  from: Date,
  minutes: number,
  team: {
    timezone: string | null;
    businessHours: Record<string, [string, string][]> | null;
    holidays?: { date: string }[];
  } | null,
): Date {
  return policy.businessHours && team?.timezone && team.businessHours
    ? addBusinessMinutes(
        from,
        minutes,
        team.timezone,
        team.businessHours as WeeklyHours,
        new Set((team.holidays ?? []).map((h) => h.date)),
      )
    : new Date(from.getTime() + minutes * 60_000);
}

/** The rules of an SLA policy (create and update). */
function checkPolicy(p: {
  name: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  nextReplyMinutes?: number | null;
}) {
  if (!p.name.trim() || p.name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
  for (const f of ['firstResponseMinutes', 'resolutionMinutes', 'nextReplyMinutes'] as const) {
    const v = p[f];
    if (v == null && f === 'nextReplyMinutes') continue;
    if (v == null || !Number.isInteger(v) || v < 1 || v > 60 * 24 * 365) {
      throw badInput(f, 'must be a whole number of minutes from 1 to 525600');
    }
  }
  if (p.resolutionMinutes < p.firstResponseMinutes) {
    throw badInput('resolutionMinutes', 'must not be shorter than the first-response target');
  }
}
