/** Who a user is to the helpdesk. One role per user. */
export const ROLES = ['agent', 'team_lead', 'account_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user as services see it. */
export interface Actor {
  id: string;
  role: Role;
  /** Home team (defaults such as "my team" views); access is by `teamIds`. */
  teamId: string | null;
  /** Every team the user belongs to. "Is this user in team X" is `teamIds.includes(X)`. */
  teamIds: string[];
  name: string;
}

/** Roles that work tickets (reply, change status, assign). */
export const TICKET_WORKERS: Role[] = ['agent', 'team_lead', 'admin'];
/** Roles that own accounts (create/update customers, churn/reactivate). */
export const ACCOUNT_OWNERS: Role[] = ['account_manager', 'admin'];
export const EVERYONE: Role[] = [...ROLES];

/**
 * A ticket of a private team is for that team's members (any of the user's teams), its lead and admins only (with its
 * messages, notes, events, files, presence and live events); leads of other teams and account
 * managers do not see it. Everyone signed in reads the tickets of public teams. The same rule is
 * written in SQL where tickets are read in bulk, as a list of hidden team ids
 * (`IdentityService.hiddenTeamIds`).
 */
export function mayReadTicket(
  actor: Pick<Actor, 'id' | 'role' | 'teamIds'>,
  team: { id: string; isPrivate: boolean; leadId?: string | null } | null | undefined,
): boolean {
  return (
    !team?.isPrivate ||
    actor.role === 'admin' ||
    actor.teamIds.includes(team.id) ||
    (!!team.leadId && team.leadId === actor.id)
  );
}

/**
 * Internal notes follow their ticket: whoever may read a ticket reads its notes (until private
 * teams hid the whole ticket, non-members of a private team saw its tickets without notes).
 */
export const mayReadNotes = mayReadTicket;
