/** Who a user is to the helpdesk. One role per user. */
export const ROLES = ['agent', 'team_lead', 'account_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user as services see it. */
export interface Actor {
  id: string;
  role: Role;
  teamId: string | null;
  name: string;
}

/** Roles that work tickets (reply, change status, assign). */
export const TICKET_WORKERS: Role[] = ['agent', 'team_lead', 'admin'];
/** Roles that own accounts (create/update customers, churn/reactivate). */
export const ACCOUNT_OWNERS: Role[] = ['account_manager', 'admin'];
export const EVERYONE: Role[] = [...ROLES];

/**
 * Internal notes on a ticket of a private team are for that team's members and admins only.
 * The same rule is written in SQL where notes are read in bulk (the customer timeline).
 */
export function mayReadNotes(
  actor: Pick<Actor, 'role' | 'teamId'>,
  team: { id: string; isPrivate: boolean } | null | undefined,
): boolean {
  return !team?.isPrivate || actor.role === 'admin' || actor.teamId === team.id;
}
