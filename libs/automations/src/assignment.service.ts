import { Injectable } from '@nestjs/common';
import { AuditRepository, TransactionRunner, badInput, forbidden, notFound } from '@staydesk/core';
import {
  Actor,
  IdentityService,
  IdentitySettingsRepository,
  TICKET_WORKERS,
  validateId,
} from '@staydesk/identity';
import {
  ASSIGNMENT_MODES,
  AVAILABILITIES,
  AssignmentMode,
  AutomationsRepository,
  Availability,
  TeamAssignmentRow,
} from './automations.repository';

/** Agents' availability and each team's automatic assignment (the pick itself is in tickets). */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly repo: AutomationsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly identitySettings: IdentitySettingsRepository,
  ) {}

  async setAvailability(actor: Actor, availability: Availability) {
    if (!TICKET_WORKERS.includes(actor.role))
      throw forbidden(`a ${actor.role} does not take tickets, so has no availability`);
    if (!AVAILABILITIES.includes(availability))
      throw badInput('availability', `must be one of ${AVAILABILITIES.join(', ')}`);
    return this.tx.run(async (tx) => {
      await this.identitySettings.setAvailability(tx, actor.id, availability);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'user.availability',
        entity: 'user',
        entityId: actor.id,
        details: { availability },
      });
      return { userId: actor.id, availability };
    });
  }

  async myAvailability(actor: Actor) {
    return { userId: actor.id, availability: await this.repo.availability(this.tx.db, actor.id) };
  }

  /** Admins, and the team's lead, set how new tickets of the team are assigned. */
  async setTeamAssignment(
    actor: Actor,
    teamId: string,
    mode: AssignmentMode,
    cap: number,
  ): Promise<TeamAssignmentRow> {
    validateId(teamId, 'teamId');
    if (!ASSIGNMENT_MODES.includes(mode))
      throw badInput('mode', `must be one of ${ASSIGNMENT_MODES.join(', ')}`);
    if (!Number.isInteger(cap) || cap < 1 || cap > 1000)
      throw badInput('cap', 'must be a whole number of open tickets from 1 to 1000');
    const [team] = await this.identity.teamsByIds([teamId]);
    if (!team) throw notFound('team', teamId);
    if (actor.role !== 'admin' && team.leadId !== actor.id)
      throw forbidden(`only admins and the lead of "${team.name}" set its automatic assignment`);
    return this.tx.run(async (tx) => {
      const saved = await this.identitySettings.setTeamAssignment(tx, { teamId, mode, cap });
      if (!saved) throw notFound('team', teamId);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'team.assignment',
        entity: 'team',
        entityId: teamId,
        details: { mode, cap },
      });
      return saved;
    });
  }
}
