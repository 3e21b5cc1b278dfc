import { badInput, searchText } from '@staydesk/core';
import { Actor, validateId } from '@staydesk/identity';
import { normalizeTags } from './ticket-rules';
import { TicketFilter } from './tickets.input';
import { TicketFilter as RepoFilter } from './tickets.repository';

/**
 * `tickets.totalCount` (and saved views' counts) are exact up to this many tickets; above it the
 * answer is TICKET_COUNT_CAP + 1, which clients show as "10,000+".
 */
export const TICKET_COUNT_CAP = 10_000;

/** A queue filter as the API takes it → the repository's filter (`mine` is the caller). */
export function toRepoFilter(f: TicketFilter, actor: Actor): RepoFilter {
  const ids = (list: string[] | null | undefined, field: string) =>
    list?.map((id) => validateId(id, field));
  const date = (d: Date | null | undefined, field: string) => {
    if (d && Number.isNaN(d.getTime())) throw badInput(field, 'is not a valid date-time');
    return d ?? undefined;
  };
  const out: RepoFilter = {
    statuses: f.status ?? undefined,
    assigneeIds: [
      ...(ids(f.assigneeIds, 'filter.assigneeIds') ?? []),
      ...(f.mine ? [actor.id] : []),
    ],
    unassigned: f.unassigned ?? undefined,
    teamIds: ids(f.teamIds, 'filter.teamIds'),
    noTeam: f.noTeam ?? undefined,
    priorities: f.priority ?? undefined,
    channels: f.channel ?? undefined,
    tags: f.tags ? normalizeTags(f.tags, 'filter.tags') : undefined,
    customerId: f.customerId ? validateId(f.customerId, 'filter.customerId') : undefined,
    requesterId: f.requesterId ? validateId(f.requesterId, 'filter.requesterId') : undefined,
    createdFrom: date(f.createdFrom, 'filter.createdFrom'),
    createdTo: date(f.createdTo, 'filter.createdTo'),
    updatedFrom: date(f.updatedFrom, 'filter.updatedFrom'),
    updatedTo: date(f.updatedTo, 'filter.updatedTo'),
  };
  if (out.createdFrom && out.createdTo && out.createdFrom > out.createdTo) {
    throw badInput('filter.createdTo', 'is before createdFrom');
  }
  if (out.updatedFrom && out.updatedTo && out.updatedFrom > out.updatedTo) {
    throw badInput('filter.updatedTo', 'is before updatedFrom');
  }
  if (f.dueWithinMinutes != null && (f.dueWithinMinutes < 1 || f.dueWithinMinutes > 43_200)) {
    throw badInput('filter.dueWithinMinutes', 'must be from 1 to 43200 (30 days)');
  }
  if (f.sla === 'breached') out.slaBreached = true;
  if (f.sla === 'within_target') out.slaBreached = false;
  if (f.sla === 'due_soon' || f.dueWithinMinutes != null)
    out.dueWithinMinutes = f.dueWithinMinutes ?? 60;
  const search = searchText(f.search, 'filter.search');
  if (search) out.search = search;
  if (f.customFields) out.customFields = customFieldFilter(f.customFields);
  if (out.assigneeIds?.length === 0) delete out.assigneeIds;
  return out;
}

/** Custom field values to match: plain keys, scalar values (at most 20). */
function customFieldFilter(v: Record<string, unknown>): Record<string, string | number | boolean> {
  const entries = Object.entries(v);
  if (entries.length > 20) throw badInput('filter.customFields', 'at most 20 fields');
  for (const [k, x] of entries) {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(k))
      throw badInput('filter.customFields', `"${k.slice(0, 50)}" is not a custom field key`);
    if (!['string', 'number', 'boolean'].includes(typeof x))
      throw badInput(`filter.customFields.${k}`, 'must be a text, number, date or true/false');
  }
  return v as Record<string, string | number | boolean>;
}
