/** Input checks of users and teams shared by the identity services and other libraries. */
import { badInput } from '@staydesk/core';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateEmail(email: string, field = 'email'): string {
  const e = email.trim();
  if (e.length > 254 || !EMAIL.test(e))
    throw badInput(field, 'must be an e-mail address like name@example.com');
  return e;
}

export function validateName(name: string, field = 'name', max = 200): string {
  const n = name.trim();
  if (n.length === 0) throw badInput(field, 'must not be empty');
  if (n.length > max) throw badInput(field, `must be at most ${max} characters`);
  return n;
}

export function validateId(id: string, field = 'id'): string {
  if (!/^[1-9]\d{0,17}$/.test(id)) throw badInput(field, `"${id.slice(0, 40)}" is not a valid id`);
  return id;
}

/** At most this many teams per user (a person in 50 teams is a data error). */
export const MAX_TEAMS_PER_USER = 50;

/**
 * The memberships and home team a create or update asks for; null when it leaves the teams
 * alone. `teamIds` is the set (duplicates dropped); `teamId` picks the home team and must be one
 * of them; without it the current home stays if still a member, else the first team. `teamId`
 * alone means "this is the user's only team" (the API before memberships).
 */
export function teamChoice(
  teamIds: readonly string[] | null | undefined,
  teamId: string | null | undefined,
  teamIdGiven: boolean,
  currentHome: string | null,
): { teamIds: string[]; home: string | null } | null {
  if (teamIds != null) {
    if (teamIds.length > MAX_TEAMS_PER_USER)
      throw badInput('teamIds', `must list at most ${MAX_TEAMS_PER_USER} teams`);
    const ids = [...new Set(teamIds.map((t, i) => validateId(t, `teamIds[${i}]`)))];
    if (teamIdGiven && teamId != null) {
      validateId(teamId, 'teamId');
      if (!ids.includes(teamId)) throw badInput('teamId', 'the home team must be one of teamIds');
      return { teamIds: ids, home: teamId };
    }
    if (teamIdGiven && ids.length)
      throw badInput('teamId', 'cannot be null while the user is in teams (leave it out instead)');
    const home = currentHome && ids.includes(currentHome) ? currentHome : (ids[0] ?? null);
    return { teamIds: ids, home };
  }
  if (!teamIdGiven) return null;
  if (teamId == null) return { teamIds: [], home: null };
  validateId(teamId, 'teamId');
  return { teamIds: [teamId], home: teamId };
}
