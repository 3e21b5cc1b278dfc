import { badInput, notFound } from '@staydesk/core';
import { IdentityService, TICKET_WORKERS, validateId } from '@staydesk/identity';
import { PRIORITIES, Priority, normalizeTags, validateBody } from '@staydesk/tickets';
import { checkPlaceholders } from './macro-rules';

/** The ticket changes a macro and an automation rule both make, as given. */
export interface TicketActionsInput {
  priority?: string | null;
  teamId?: string | null;
  assigneeId?: string | null;
  /** Macros only: clear the assignee (assigneeId null means "leave it"). */
  unassign?: boolean | null;
  addTags?: string[] | null;
  removeTags?: string[] | null;
  note?: string | null;
}

/** Those changes, checked (the shared part of `MacroActions` and `RuleActions`). */
export interface TicketActions {
  priority?: string;
  teamId?: string | null;
  assigneeId?: string | null;
  addTags?: string[];
  removeTags?: string[];
  note?: string;
}

/**
 * Checks the ticket changes of a macro or a rule, in this order: priority, team, unassign,
 * assignee, tags, note (a templated note: unknown placeholders are refused). Errors name
 * `actions.<field>`. `refusal` words why a user may not be the assignee.
 */
export async function checkTicketActions(
  identity: IdentityService,
  a: TicketActionsInput,
  refusal: (u: { id: string; role: string }) => string,
): Promise<TicketActions> {
  const actions: TicketActions = {};
  if (a.priority != null) {
    if (!PRIORITIES.includes(a.priority as Priority))
      throw badInput('actions.priority', `must be one of ${PRIORITIES.join(', ')}`);
    actions.priority = a.priority;
  }
  if (a.teamId != null) {
    const [team] = await identity.teamsByIds([validateId(a.teamId, 'actions.teamId')]);
    if (!team) throw notFound('team', a.teamId);
    actions.teamId = team.id;
  }
  if (a.unassign && a.assigneeId != null)
    throw badInput('actions.unassign', 'give either assigneeId or unassign, not both');
  if (a.unassign) actions.assigneeId = null;
  if (a.assigneeId != null) {
    const [u] = await identity.usersByIds([validateId(a.assigneeId, 'actions.assigneeId')]);
    if (!u) throw notFound('user', a.assigneeId);
    if (!u.active || !TICKET_WORKERS.includes(u.role))
      throw badInput('actions.assigneeId', refusal(u));
    actions.assigneeId = u.id;
  }
  if (a.addTags?.length) actions.addTags = normalizeTags(a.addTags, 'actions.addTags');
  if (a.removeTags?.length) actions.removeTags = normalizeTags(a.removeTags, 'actions.removeTags');
  if (a.note != null && a.note.trim()) {
    actions.note = validateBody(a.note, 'actions.note');
    checkPlaceholders(actions.note, 'actions.note');
  }
  return actions;
}
