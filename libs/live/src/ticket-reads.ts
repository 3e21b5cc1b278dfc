import type { IdentityService } from '@staydesk/identity';
import type { TicketRow, TicketsService } from '@staydesk/tickets';
import type { LiveTeam } from './live-events';

/**
 * The tickets of live events and their teams' visibility, in two statements: what the worker's
 * publisher puts in the events, and what an api process reads for an event that came without
 * them. A ticket that is gone is missing from `tickets`; a team that is gone, from `teams`.
 */
export async function readTicketsWithTeams(
  tickets: TicketsService,
  identity: IdentityService,
  ids: readonly string[],
): Promise<{ tickets: Map<string, TicketRow>; teams: Map<string, LiveTeam> }> {
  const rows = await tickets.byIds([...new Set(ids)]);
  const teamIds = [...new Set(rows.flatMap((t) => (t.teamId ? [t.teamId] : [])))];
  const teams = new Map<string, LiveTeam>(
    teamIds.length === 0
      ? []
      : (await identity.teamsByIds(teamIds)).map((t) => [
          t.id,
          { id: t.id, isPrivate: t.isPrivate, leadId: t.leadId },
        ]),
  );
  return { tickets: new Map(rows.map((t) => [t.id, t])), teams };
}
