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
