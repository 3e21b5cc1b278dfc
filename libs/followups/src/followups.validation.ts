/**
 * What the follow-ups service accepts and how it checks it: the input shapes, the limits, the
 * validators and the list filter (pure functions, unit-tested in followups.service.spec.ts).
 */
import { badInput, Keyset, forbidden } from '@staydesk/core';
import { Actor, validateId } from '@staydesk/identity';
import {
  FOLLOW_UP_KINDS,
  FOLLOW_UP_STATUSES,
  FollowUpKind,
  FollowUpListFilter,
  FollowUpRow,
  FollowUpStatus,
} from './followups.repository';

export interface CreateFollowUpInput {
  ticketId?: string | null;
  customerId?: string | null;
  ownerId?: string | null;
  kind: FollowUpKind;
  dueAt: Date;
  note?: string | null;
}

export interface FollowUpsFilterInput {
  mine?: boolean | null;
  ownerId?: string | null;
  status?: FollowUpStatus | null;
  overdue?: boolean | null;
  customerId?: string | null;
  ticketId?: string | null;
  dueBefore?: Date | null;
}

/** A follow-up opened by another module (surveys, risk) inside its own transaction. */
export interface OpenForOwnerInput {
  customerId: string;
  ticketId?: string | null;
  ownerId: string;
  kind: FollowUpKind;
  dueAt: Date;
  note?: string | null;
  /** The user on whose behalf it is opened; null for the system. */
  createdById?: string | null;
  surveyId?: string | null;
}

export const MAX_TEXT_LENGTH = 5000;
/** How far ahead a follow-up may be due. */
export const MAX_YEARS_AHEAD = 2;
/** Name of the (due_at, id) keyset ordering in cursors. */
export const FOLLOW_UPS_ORDER = 'follow_ups_due';

/** Follow-ups by (due_at, id): one codec for encoding and checking cursors. */
export const FOLLOW_UPS_KEYSET = new Keyset<[string, string]>(FOLLOW_UPS_ORDER, [
  { kind: 'timestamp' },
  { kind: 'id' },
]);

export function validateKind(kind: string, field = 'kind'): FollowUpKind {
  if (!(FOLLOW_UP_KINDS as readonly string[]).includes(kind)) {
    throw badInput(field, `must be one of ${FOLLOW_UP_KINDS.join(', ')}`);
  }
  return kind as FollowUpKind;
}

/** A due time: a real date-time, at most {@link MAX_YEARS_AHEAD} years from now (the past is allowed). */
export function validateDueAt(
  dueAt: Date | null | undefined,
  field = 'dueAt',
  now = new Date(),
): Date {
  if (!(dueAt instanceof Date) || Number.isNaN(dueAt.getTime())) {
    throw badInput(field, 'must be a date-time like 2027-03-31T09:00:00Z');
  }
  const latest = new Date(now.getTime());
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_YEARS_AHEAD);
  if (dueAt.getTime() > latest.getTime()) {
    throw badInput(field, `must be at most ${MAX_YEARS_AHEAD} years from now`);
  }
  return dueAt;
}

/** Optional free text: trimmed, empty → null, at most {@link MAX_TEXT_LENGTH} characters. */
export function validateOptionalText(
  text: string | null | undefined,
  field: string,
): string | null {
  if (text == null) return null;
  const t = text.trim();
  if (t.length > MAX_TEXT_LENGTH)
    throw badInput(field, `must be at most ${MAX_TEXT_LENGTH} characters`);
  return t || null;
}

/** The outcome of a completed follow-up: 1 to {@link MAX_TEXT_LENGTH} characters. */
export function validateOutcome(outcome: string | null | undefined, field = 'outcome'): string {
  const t = validateOptionalText(outcome ?? '', field);
  if (t === null) throw badInput(field, 'must not be empty: say what came of the follow-up');
  return t;
}

/** Who may complete, cancel or reschedule a follow-up: its owner, its creator, a team lead, an admin. */
export function mayManage(actor: Actor, f: Pick<FollowUpRow, 'ownerId' | 'createdById'>): boolean {
  return (
    actor.id === f.ownerId ||
    (f.createdById !== null && actor.id === f.createdById) ||
    actor.role === 'team_lead' ||
    actor.role === 'admin'
  );
}

export function assertMayManage(actor: Actor, f: FollowUpRow, verb: string): void {
  if (!mayManage(actor, f)) {
    throw forbidden(
      `only the owner, the creator, a team lead or an admin may ${verb} follow-up ${f.id}`,
    );
  }
}

export function assertOpen(f: FollowUpRow, verb: string): void {
  if (f.status !== 'open') {
    throw badInput('id', `follow-up ${f.id} is ${f.status}: only open follow-ups can be ${verb}`, {
      status: f.status,
    });
  }
}

/** Decodes an `after` cursor of the (due_at, id) ordering, refusing values that are not ours. */
export function decodeFollowUpCursor(after: string): { dueKey: string; id: string } {
  const [dueKey, id] = FOLLOW_UPS_KEYSET.decode(after)!;
  return { dueKey, id };
}

/** Turns the GraphQL filter into the repository filter, checking ids and dates. */
export function listFilter(actor: Actor, f: FollowUpsFilterInput): FollowUpListFilter {
  const out: FollowUpListFilter = {};
  if (f.ownerId != null) out.ownerId = validateId(f.ownerId, 'filter.ownerId');
  if (f.mine) {
    if (out.ownerId && out.ownerId !== actor.id) {
      throw badInput('filter.ownerId', 'contradicts mine: true (mine means owned by you)');
    }
    out.ownerId = actor.id;
  }
  if (f.status != null) {
    if (!FOLLOW_UP_STATUSES.includes(f.status)) {
      throw badInput('filter.status', `must be one of ${FOLLOW_UP_STATUSES.join(', ')}`);
    }
    out.status = f.status;
  }
  if (f.overdue != null) out.overdue = f.overdue;
  if (f.customerId != null) out.customerId = validateId(f.customerId, 'filter.customerId');
  if (f.ticketId != null) out.ticketId = validateId(f.ticketId, 'filter.ticketId');
  if (f.dueBefore != null) {
    if (Number.isNaN(f.dueBefore.getTime())) {
      throw badInput('filter.dueBefore', 'must be a date-time like 2027-03-31T09:00:00Z');
    }
    out.dueBefore = f.dueBefore;
  }
  return out;
}
