import { Injectable } from '@nestjs/common';
import {
  AuditRepository,
  TransactionRunner,
  Tx,
  badInput,
  forbidden,
  notFound,
  searchText,
} from '@staydesk/core';
import { CustomersService } from '@staydesk/customers';
import { Actor, IdentityService, TICKET_WORKERS, validateId } from '@staydesk/identity';
import {
  MessageRow,
  TICKET_STATUSES,
  TicketRow,
  TicketStatus,
  TicketsService,
  UpdateTicketInput,
  Priority,
  normalizeTags,
  validateBody,
} from '@staydesk/tickets';
import {
  AutomationsRepository,
  MACRO_SCOPES,
  MacroActions,
  MacroRow,
  MacroScope,
  NewMacro,
} from './automations.repository';
import { PlaceholderValues, checkPlaceholders, firstName, render } from './macro-rules';
import { TicketActionsInput, checkTicketActions } from './ticket-actions';

export interface MacroInput {
  name: string;
  body?: string | null;
  scope: MacroScope;
  teamId?: string | null;
  actions?: MacroActionsInput | null;
}

export interface MacroActionsInput extends TicketActionsInput {
  status?: string | null;
}

export interface MacroChange {
  field: string;
  from: string | null;
  to: string | null;
}

export interface MacroPlan {
  reply: string | null;
  note: string | null;
  changes: MacroChange[];
}

/** Macros: saved replies with placeholders plus actions, applied through the tickets service. */
@Injectable()
export class MacrosService {
  constructor(
    private readonly repo: AutomationsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly customers: CustomersService,
    private readonly tickets: TicketsService,
  ) {}

  /** Teams whose shared macros and views a user sees: the teams they are in and the teams they lead. */
  async teamsOf(actor: Actor): Promise<string[]> {
    const led = (await this.identity.listTeams())
      .filter((t) => t.leadId === actor.id)
      .map((t) => t.id);
    return [...new Set([...actor.teamIds, ...led])];
  }

  async list(actor: Actor, search: string | null | undefined, first: number | null | undefined) {
    const limit = first ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      throw badInput('first', 'must be from 1 to 200');
    const s = searchText(search, 'search') ?? null;
    return this.repo.visibleMacros(
      this.tx.db,
      { userId: actor.id, teamIds: await this.teamsOf(actor), allTeams: actor.role === 'admin' },
      s,
      limit,
    );
  }

  async create(actor: Actor, input: MacroInput): Promise<MacroRow> {
    const m = await this.validate(actor, input);
    await this.assertMayManage(actor, m);
    return this.tx.run(async (tx) => {
      const saved = await this.repo.insertMacro(tx, m, actor.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'macro.create',
        entity: 'macro',
        entityId: saved.id,
        details: { scope: saved.scope },
      });
      return saved;
    });
  }

  async update(actor: Actor, id: string, input: MacroInput): Promise<MacroRow> {
    validateId(id);
    const before = await this.existing(id);
    await this.assertMayManage(actor, before);
    const m = await this.validate(actor, input, before.ownerId);
    await this.assertMayManage(actor, m);
    return this.tx.run(async (tx) => {
      const saved = await this.repo.updateMacro(tx, id, m);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'macro.update',
        entity: 'macro',
        entityId: id,
        details: { scope: saved.scope },
      });
      return saved;
    });
  }

  async delete(actor: Actor, id: string): Promise<boolean> {
    validateId(id);
    const before = await this.existing(id);
    await this.assertMayManage(actor, before);
    return this.tx.run(async (tx) => {
      await this.repo.deleteMacro(tx, id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'macro.delete',
        entity: 'macro',
        entityId: id,
        details: { name: before.name },
      });
      return true;
    });
  }

  /** The rendered reply and note and the changes applying the macro would make; writes nothing. */
  async preview(actor: Actor, ticketId: string, macroId: string): Promise<MacroPlan> {
    this.requireWorker(actor);
    validateId(ticketId, 'ticketId');
    validateId(macroId, 'macroId');
    const macro = await this.usable(actor, macroId);
    const t = await this.tickets.ticket(ticketId, actor);
    return this.plan(this.tx.db, actor, t, macro);
  }

  /**
   * Posts the rendered reply (if the macro has a body), adds the note and applies the actions in
   * ONE transaction through the tickets service (state machine, optimistic locking, private-team
   * rules); a `macro_applied` event names the macro. Any refusal rolls everything back.
   */
  async apply(
    actor: Actor,
    ticketId: string,
    macroId: string,
    expectedVersion: number | null | undefined,
  ): Promise<MacroPlan & { ticket: TicketRow; message: MessageRow | null }> {
    this.requireWorker(actor);
    validateId(ticketId, 'ticketId');
    validateId(macroId, 'macroId');
    const macro = await this.usable(actor, macroId);
    return this.tx.run(async (tx) => {
      const t = await this.tickets.lockForChange(tx, ticketId, expectedVersion, actor);
      const plan = await this.plan(tx, actor, t, macro);
      let message: MessageRow | null = null;
      if (plan.reply) {
        message = (
          await this.tickets.addMessageInTx(tx, actor, ticketId, 'public_reply', plan.reply)
        ).message;
      }
      if (plan.note) {
        await this.tickets.addMessageInTx(tx, actor, ticketId, 'internal_note', plan.note);
      }
      const a = macro.actions;
      const input: UpdateTicketInput = {};
      const given = new Set<string>();
      if (a.priority) input.priority = a.priority as Priority;
      if (a.teamId !== undefined) {
        input.teamId = a.teamId;
        given.add('teamId');
      }
      if (a.assigneeId !== undefined) {
        input.assigneeId = a.assigneeId;
        given.add('assigneeId');
      }
      if (a.addTags?.length || a.removeTags?.length) input.tags = this.tagsAfter(t.tags, a);
      if (given.size || input.priority || input.tags) {
        await this.tickets.updateInTx(tx, actor, ticketId, input, given);
      }
      if (a.status) {
        const now = await this.tickets.lockForChange(tx, ticketId);
        if (now.status !== a.status) {
          await this.tickets.changeStatusInTx(tx, actor, ticketId, a.status as TicketStatus);
        }
      }
      await this.tickets.recordEventsInTx(tx, [
        {
          ticketId,
          actorId: actor.id,
          type: 'macro_applied',
          fromValue: macro.id,
          toValue: macro.name,
          createdAt: new Date(),
        },
      ]);
      await this.repo.countUse(tx, macro.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'macro.apply',
        entity: 'ticket',
        entityId: ticketId,
        details: { macroId: macro.id, changes: plan.changes.map((c) => c.field) },
      });
      const ticket = await this.tickets.lockForChange(tx, ticketId);
      return { ...plan, ticket, message };
    });
  }

  private async plan(tx: Tx, actor: Actor, t: TicketRow, macro: MacroRow): Promise<MacroPlan> {
    const [contact] = await this.customers.contactsByIds([t.requesterId], tx);
    const [customer] = await this.customers.byIds([t.customerId], tx);
    const values: PlaceholderValues = {
      'requester.first_name': firstName(contact?.name ?? ''),
      'requester.name': contact?.name ?? '',
      'requester.email': contact?.email ?? '',
      // Ticket.number arrives with the e-mail channel; until then the id is the ticket's number
      'ticket.number': String((t as TicketRow & { number?: number }).number ?? t.id),
      'ticket.subject': t.subject,
      'agent.name': actor.name,
      'agent.first_name': firstName(actor.name),
      'customer.name': customer?.name ?? '',
    };
    const reply = macro.body ? render(macro.body, values) : null;
    const note = macro.actions.note ? render(macro.actions.note, values) : null;
    if (reply) validateBody(reply, 'body');
    if (note) validateBody(note, 'actions.note');
    const a = macro.actions;
    const changes: MacroChange[] = [];
    const afterReply: TicketStatus = reply && t.status === 'new' ? 'open' : t.status;
    const status = (a.status as TicketStatus | undefined) ?? afterReply;
    if (status !== t.status) changes.push({ field: 'status', from: t.status, to: status });
    if (a.priority && a.priority !== t.priority)
      changes.push({ field: 'priority', from: t.priority, to: a.priority });
    if (a.teamId !== undefined && a.teamId !== t.teamId)
      changes.push({ field: 'team', from: t.teamId, to: a.teamId });
    const assignee =
      a.assigneeId !== undefined
        ? a.assigneeId
        : reply && t.assigneeId === null
          ? actor.id
          : t.assigneeId;
    if (assignee !== t.assigneeId)
      changes.push({ field: 'assignee', from: t.assigneeId, to: assignee });
    if (a.addTags?.length || a.removeTags?.length) {
      const tags = this.tagsAfter(t.tags, a);
      if (tags.join(',') !== t.tags.join(','))
        changes.push({ field: 'tags', from: t.tags.join(','), to: tags.join(',') });
    }
    return { reply, note, changes };
  }

  private tagsAfter(current: string[], a: MacroActions): string[] {
    const remove = new Set(a.removeTags ?? []);
    return normalizeTags([...current.filter((x) => !remove.has(x)), ...(a.addTags ?? [])]);
  }

  private async validate(
    actor: Actor,
    input: MacroInput,
    ownerId?: string | null,
  ): Promise<NewMacro> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
    if (!MACRO_SCOPES.includes(input.scope))
      throw badInput('scope', `must be one of ${MACRO_SCOPES.join(', ')}`);
    let body: string | null = null;
    if (input.body != null && input.body.trim()) {
      body = validateBody(input.body, 'body');
      checkPlaceholders(body, 'body');
    }
    const a = input.actions ?? {};
    const actions: MacroActions = {};
    if (a.status != null) {
      if (!TICKET_STATUSES.includes(a.status as TicketStatus))
        throw badInput('actions.status', `must be one of ${TICKET_STATUSES.join(', ')}`);
      actions.status = a.status;
    }
    Object.assign(
      actions,
      await checkTicketActions(
        this.identity,
        a,
        (u) => `user ${u.id} does not work tickets (deactivated or ${u.role})`,
      ),
    );
    if (!body && Object.keys(actions).length === 0)
      throw badInput('actions', 'a macro must have a reply body or at least one action');
    let teamId: string | null = null;
    if (input.scope === 'team') {
      if (!input.teamId) throw badInput('teamId', 'a team macro needs the team it is shared with');
      const [team] = await this.identity.teamsByIds([validateId(input.teamId, 'teamId')]);
      if (!team) throw notFound('team', input.teamId);
      teamId = team.id;
    } else if (input.teamId) {
      throw badInput('teamId', `only team macros have a team (this one is ${input.scope})`);
    }
    return {
      name,
      body,
      actions,
      scope: input.scope,
      ownerId: input.scope === 'personal' ? (ownerId ?? actor.id) : null,
      teamId,
    };
  }

  /** Agents manage their personal macros; admins and team leads the shared ones (leads: their teams'). */
  private async assertMayManage(actor: Actor, m: Pick<MacroRow, 'scope' | 'ownerId' | 'teamId'>) {
    this.requireWorker(actor);
    if (m.scope === 'personal') {
      if (m.ownerId !== actor.id) throw forbidden('a personal macro is managed by its owner only');
      return;
    }
    if (actor.role === 'admin') return;
    if (actor.role !== 'team_lead')
      throw forbidden(`only admins and team leads manage ${m.scope} macros`);
    if (m.scope === 'team' && !(await this.teamsOf(actor)).includes(m.teamId!))
      throw forbidden('a team lead manages the macros of their own team only');
  }

  private async existing(id: string): Promise<MacroRow> {
    const m = await this.repo.macroById(this.tx.db, id);
    if (!m) throw notFound('macro', id);
    return m;
  }

  /** A macro the actor may apply; others' personal and other teams' macros are NOT_FOUND to them. */
  private async usable(actor: Actor, id: string): Promise<MacroRow> {
    const m = await this.repo.macroById(this.tx.db, id);
    const visible =
      m &&
      (m.scope === 'global' ||
        (m.scope === 'personal' && m.ownerId === actor.id) ||
        (m.scope === 'team' &&
          (actor.role === 'admin' || (await this.teamsOf(actor)).includes(m.teamId!))));
    if (!m || !visible) throw notFound('macro', id);
    return m;
  }

  private requireWorker(actor: Actor) {
    if (!TICKET_WORKERS.includes(actor.role)) throw forbidden(`a ${actor.role} may not use macros`);
  }
}
