import { Injectable } from '@nestjs/common';
import { DomainError, Tx, badInput, forbidden, notFound, searchText } from '@staydesk/core';
import {
  WeeklyHours,
  validateHolidays,
  validateTimezone,
  validateWeeklyHours,
} from './business-hours';
import { TeamRow, UserCursor, UserRow } from './identity.repository';
import { hashPassword, validatePassword } from './password';
import { Actor, ROLES, Role, mayReadTicket } from './roles';

import { IdentitySessions } from './identity.sessions';
import { teamChoice, validateEmail, validateId, validateName } from './identity.validation';

export interface TeamInput {
  name: string;
  timezone?: string | null;
  businessHours?: unknown;
  holidays?: unknown;
  isPrivate?: boolean | null;
  leadId?: string | null;
}

/**
 * Users and teams, administered (create, update, unlock, memberships, leads, calendars), on top of
 * sign-in and sessions ({@link IdentitySessions}).
 */
@Injectable()
export class IdentityService extends IdentitySessions {
  /** Admins: lift every sign-in lock of a user (audited). */
  async unlockUser(actor: Actor, id: string): Promise<UserRow> {
    validateId(id);
    return this.tx.run(async (tx) => {
      const [user] = await this.repo.usersByIds(tx, [id]);
      if (!user) throw notFound('user', id);
      const cleared = await this.repo.clearLoginFailures(tx, id, null);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'user.unlock',
        entity: 'user',
        entityId: id,
        details: { clients: cleared },
      });
      return user;
    });
  }

  usersByIds(ids: readonly string[], tx: Tx = this.tx.db): Promise<UserRow[]> {
    return this.repo.usersByIds(tx, ids);
  }

  /** `tx`: read inside the caller's transaction (never a second pool connection while holding one). */
  teamsByIds(ids: readonly string[], tx: Tx = this.tx.db): Promise<TeamRow[]> {
    return this.repo.teamsByIds(tx, ids);
  }

  async user(id: string): Promise<UserRow> {
    const [u] = await this.repo.usersByIds(this.tx.db, [validateId(id)]);
    if (!u) throw notFound('user', id);
    return u;
  }

  listUsers(
    filter: { role?: Role; teamId?: string; active?: boolean; search?: string },
    after: UserCursor | null,
    limit: number,
  ) {
    if (filter.teamId) validateId(filter.teamId, 'filter.teamId');
    const search = searchText(filter.search, 'filter.search');
    return this.repo.listUsers(this.tx.db, { ...filter, search }, after, limit);
  }

  async createUser(
    actor: Actor | null,
    input: {
      email: string;
      name: string;
      password: string;
      role: Role;
      teamId?: string | null;
      teamIds?: string[] | null;
    },
  ): Promise<UserRow> {
    const email = validateEmail(input.email);
    const name = validateName(input.name);
    validatePassword(input.password);
    if (!ROLES.includes(input.role)) throw badInput('role', `must be one of ${ROLES.join(', ')}`);
    const teams = teamChoice(input.teamIds, input.teamId, input.teamId != null, null) ?? {
      teamIds: [],
      home: null,
    };
    const passwordHash = await hashPassword(input.password);
    return this.tx.run(async (tx) => {
      await this.requireTeams(tx, teams.teamIds);
      const user = await this.repo.insertUser(tx, {
        email,
        name,
        passwordHash,
        role: input.role,
        teamId: teams.home,
      });
      await this.repo.setTeams(tx, user.id, teams.teamIds, teams.home);
      await this.audit.record(tx, {
        actorId: actor?.id ?? null,
        action: 'user.create',
        entity: 'user',
        entityId: user.id,
        details: { email, role: input.role, teamIds: teams.teamIds },
      });
      const [saved] = await this.repo.usersByIds(tx, [user.id]);
      return saved;
    });
  }

  /**
   * `teamIds` replaces the memberships; `teamId` picks the home team among them. `teamId`
   * alone (the API before memberships) makes it the user's only team, as it did then.
   */
  async updateUser(
    actor: Actor,
    id: string,
    input: {
      name?: string | null;
      role?: Role | null;
      teamId?: string | null;
      teamIds?: string[] | null;
      active?: boolean | null;
      password?: string | null;
    },
    teamIdGiven: boolean,
  ): Promise<UserRow> {
    validateId(id);
    const name = input.name != null ? validateName(input.name) : undefined;
    if (input.password != null) validatePassword(input.password);
    const passwordHash = input.password != null ? await hashPassword(input.password) : undefined;
    const saved = await this.tx.run(async (tx) => {
      const [before] = await this.repo.usersByIds(tx, [id]);
      if (!before) throw notFound('user', id);
      const teams = teamChoice(input.teamIds, input.teamId, teamIdGiven, before.teamId);
      if (teams) await this.requireTeams(tx, teams.teamIds);
      const updated = await this.repo.updateUser(tx, id, {
        name,
        role: input.role ?? undefined,
        active: input.active ?? undefined,
        passwordHash,
      });
      if (!updated) throw notFound('user', id);
      const moved = teams ? await this.repo.setTeams(tx, id, teams.teamIds, teams.home) : null;
      // an admin's password reset also lifts the sign-in locks
      if (passwordHash) await this.repo.clearLoginFailures(tx, id, null);
      if ((await this.repo.countActiveAdmins(tx)) === 0) {
        throw new DomainError('CONFLICT', 'this change would leave no active admin', {
          field: 'role',
        });
      }
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'user.update',
        entity: 'user',
        entityId: id,
        details: {
          ...input,
          password: input.password ? '(changed)' : undefined,
          ...(moved ? { teamsAdded: moved.added, teamsRemoved: moved.removed } : {}),
        },
      });
      const [user] = await this.repo.usersByIds(tx, [id]);
      return user;
    });
    await this.userChanged(id);
    return saved;
  }

  listTeams(): Promise<TeamRow[]> {
    return this.repo.listTeams(this.tx.db);
  }

  /**
   * The private teams whose tickets the actor may not read (`mayReadTicket`), for SQL filters
   * (`team_id <> ALL(...)`). Empty for admins and for internal callers (`null`).
   */
  async hiddenTeamIds(actor: Pick<Actor, 'id' | 'role' | 'teamIds'> | null): Promise<string[]> {
    if (!actor || actor.role === 'admin') return [];
    const teams = await this.repo.listTeams(this.tx.db);
    return teams.filter((t) => !mayReadTicket(actor, t)).map((t) => t.id);
  }

  async createTeam(actor: Actor, input: TeamInput): Promise<TeamRow> {
    const team = await this.teamFields(input);
    return this.tx.run(async (tx) => {
      if (team.leadId) await this.requireLead(tx, team.leadId);
      const row = await this.repo.insertTeam(tx, team);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'team.create',
        entity: 'team',
        entityId: row.id,
        details: { name: row.name },
      });
      return row;
    });
  }

  async updateTeam(actor: Actor, id: string, input: TeamInput): Promise<TeamRow> {
    validateId(id);
    const team = await this.teamFields(input);
    return this.tx.run(async (tx) => {
      if (team.leadId) await this.requireLead(tx, team.leadId);
      const row = await this.repo.updateTeam(tx, id, team);
      if (!row) throw notFound('team', id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'team.update',
        entity: 'team',
        entityId: id,
        details: { name: row.name },
      });
      return row;
    });
  }

  private async teamFields(input: TeamInput): Promise<Omit<TeamRow, 'id' | 'createdAt'>> {
    const name = validateName(input.name, 'name', 100);
    if (input.timezone) validateTimezone(input.timezone);
    let businessHours: WeeklyHours | null = null;
    if (input.businessHours != null) {
      if (!input.timezone) throw badInput('timezone', 'is required when businessHours is given');
      businessHours = validateWeeklyHours(input.businessHours);
    }
    if (input.leadId) validateId(input.leadId, 'leadId');
    const holidays = input.holidays != null ? validateHolidays(input.holidays) : [];
    if (holidays.length && !businessHours)
      throw badInput('holidays', 'need a business-hours calendar (set the weekly hours first)');
    return {
      name,
      timezone: input.timezone ?? null,
      businessHours: businessHours as TeamRow['businessHours'],
      holidays,
      isPrivate: input.isPrivate ?? false,
      leadId: input.leadId ?? null,
    };
  }

  /** Every id must be a team (one query for the list). */
  private async requireTeams(tx: Tx, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const found = new Set((await this.repo.teamsByIds(tx, ids)).map((t) => t.id));
    const missing = ids.find((t) => !found.has(t));
    if (missing) throw notFound('team', missing);
  }

  private async requireLead(tx: Tx, id: string): Promise<void> {
    const [u] = await this.repo.usersByIds(tx, [id]);
    if (!u) throw notFound('user', id);
    if (u.role !== 'team_lead' && u.role !== 'admin') {
      throw badInput(
        'leadId',
        `user ${id} is a ${u.role}; a team lead must have the team_lead or admin role`,
      );
    }
  }

  /** For role checks in other services. */
  static assertRole(actor: Actor, allowed: Role[], what: string): void {
    if (!allowed.includes(actor.role)) throw forbidden(`${actor.role} may not ${what}`);
  }
}
