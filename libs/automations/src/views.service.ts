import { Injectable } from '@nestjs/common';
import { AuditRepository, TransactionRunner, badInput, forbidden, notFound } from '@staydesk/core';
import { Actor, IdentityService, validateId } from '@staydesk/identity';
import {
  TicketFilterInput,
  TicketOrder,
  TicketsService,
  TICKET_COUNT_CAP,
  toRepoFilter,
} from '@staydesk/tickets';
import { AutomationsRepository, SavedViewRow } from './automations.repository';

export interface SavedViewInput {
  name: string;
  filter?: TicketFilterInput | null;
  orderBy?: TicketOrder | null;
  teamId?: string | null;
}

const ORDERS: TicketOrder[] = ['updated_desc', 'created_desc', 'priority', 'due'];
const DATE_FIELDS = ['createdFrom', 'createdTo', 'updatedFrom', 'updatedTo'] as const;

/** A stored filter back as the queue's filter input (dates were stored as ISO strings). */
export function storedFilter(json: Record<string, unknown>): TicketFilterInput {
  const f = { ...json } as Record<string, unknown>;
  for (const k of DATE_FIELDS) if (typeof f[k] === 'string') f[k] = new Date(f[k] as string);
  return f as TicketFilterInput;
}

/** Saved views: a named queue filter and order, personal or shared with a team, in sidebar order. */
@Injectable()
export class ViewsService {
  constructor(
    private readonly repo: AutomationsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly tickets: TicketsService,
  ) {}

  private async teamsOf(actor: Actor): Promise<string[]> {
    const led = (await this.identity.listTeams())
      .filter((t) => t.leadId === actor.id)
      .map((t) => t.id);
    return [...new Set([...actor.teamIds, ...led])];
  }

  /** Your views then your teams' shared ones, each with how many tickets it holds now. */
  async list(actor: Actor): Promise<(SavedViewRow & { count: number })[]> {
    const views = await this.repo.visibleViews(this.tx.db, actor.id, await this.teamsOf(actor));
    return Promise.all(views.map(async (v) => ({ ...v, count: await this.countOf(actor, v) })));
  }

  /** Tickets matching a view now, as this viewer sees them (exact up to TICKET_COUNT_CAP). */
  countOf(actor: Actor, v: SavedViewRow): Promise<number> {
    return this.tickets.count(
      actor,
      toRepoFilter(storedFilter(v.filter), actor),
      TICKET_COUNT_CAP + 1,
    );
  }

  async create(actor: Actor, input: SavedViewInput): Promise<SavedViewRow> {
    const v = this.validate(actor, input);
    const teamId = input.teamId ? validateId(input.teamId, 'teamId') : null;
    if (teamId) await this.assertMayShare(actor, teamId);
    return this.tx.run(async (tx) => {
      const saved = await this.repo.insertView(
        tx,
        { ...v, ownerId: teamId ? null : actor.id, teamId },
        actor.id,
      );
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'saved_view.create',
        entity: 'saved_view',
        entityId: saved.id,
        details: { teamId },
      });
      return saved;
    });
  }

  async update(actor: Actor, id: string, input: SavedViewInput): Promise<SavedViewRow> {
    validateId(id);
    const before = await this.manageable(actor, id);
    if (input.teamId !== undefined && (input.teamId ?? null) !== before.teamId)
      throw badInput('teamId', 'a view cannot change hands; create a new one instead');
    const v = this.validate(actor, input);
    return this.tx.run(async (tx) => {
      const saved = await this.repo.updateView(tx, id, v);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'saved_view.update',
        entity: 'saved_view',
        entityId: id,
      });
      return saved;
    });
  }

  async delete(actor: Actor, id: string): Promise<boolean> {
    validateId(id);
    await this.manageable(actor, id);
    return this.tx.run(async (tx) => {
      await this.repo.deleteView(tx, id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'saved_view.delete',
        entity: 'saved_view',
        entityId: id,
      });
      return true;
    });
  }

  /** Puts one sidebar group (yours, or a team's) in the given order; ids must be the whole group. */
  async reorder(actor: Actor, ids: string[], teamId: string | null | undefined) {
    ids.forEach((id) => validateId(id, 'ids'));
    const team = teamId ? validateId(teamId, 'teamId') : null;
    if (team) await this.assertMayShare(actor, team);
    return this.tx.run(async (tx) => {
      const group = await this.repo.lockGroup(tx, {
        ownerId: team ? null : actor.id,
        teamId: team,
      });
      const given = new Set(ids);
      if (
        given.size !== ids.length ||
        ids.length !== group.length ||
        group.some((g) => !given.has(g))
      )
        throw badInput(
          'ids',
          `must list each of the ${group.length} views of this group exactly once (${team ? `team ${team}` : 'your personal views'})`,
        );
      await this.repo.setPositions(tx, ids);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'saved_view.reorder',
        entity: team ? 'team' : 'user',
        entityId: team ?? actor.id,
      });
      return true;
    });
  }

  private validate(actor: Actor, input: SavedViewInput) {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
    const orderBy = input.orderBy ?? 'updated_desc';
    if (!ORDERS.includes(orderBy)) throw badInput('orderBy', `must be one of ${ORDERS.join(', ')}`);
    const filter = { ...(input.filter ?? {}) } as Record<string, unknown>;
    toRepoFilter(filter as TicketFilterInput, actor); // the queue's own checks (BAD_USER_INPUT naming filter.x)
    for (const [k, v] of Object.entries(filter))
      if (v === null || v === undefined) delete filter[k];
    return { name, filter, orderBy };
  }

  /** Admins and the team's lead share views with a team. */
  private async assertMayShare(actor: Actor, teamId: string) {
    const [team] = await this.identity.teamsByIds([teamId]);
    if (!team) throw notFound('team', teamId);
    if (actor.role !== 'admin' && team.leadId !== actor.id)
      throw forbidden(`only admins and the lead of "${team.name}" manage its shared views`);
  }

  /** A view the actor may change: their own, or a team's they may share with; others' are NOT_FOUND. */
  private async manageable(actor: Actor, id: string): Promise<SavedViewRow> {
    const v = await this.repo.viewById(this.tx.db, id);
    if (!v) throw notFound('saved view', id);
    if (v.ownerId !== null) {
      if (v.ownerId !== actor.id) throw notFound('saved view', id);
      return v;
    }
    await this.assertMayShare(actor, v.teamId!);
    return v;
  }
}
