/** The SLA clock of a ticket as a queue row and the ticket header show it. */
export interface SlaFields {
  status: string;
  firstResponseAt: string | null;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  /** The running next-reply clock (a customer message waiting for an answer), if any. */
  nextReplyDueAt?: string | null;
  nextReplyBreached?: boolean;
}

export interface SlaCountdown {
  /** Which target the clock runs against. */
  target: 'first response' | 'next reply' | 'resolution';
  dueAt: Date;
  /** Minutes until due (negative once past). */
  minutes: number;
  breached: boolean;
  /** Due within the hour and not breached yet. */
  dueSoon: boolean;
  /** e.g. "First response due in 25 min", "Resolution overdue by 2 h 5 min". */
  label: string;
  /** For a queue row: "Reply in 25 min", "Reply 45 min late", "Solve in 4 h". */
  short: string;
}

const DONE = new Set(['solved', 'closed']);
const WAITING = new Set(['pending', 'on_hold']);

export function formatMinutes(total: number): string {
  const m = Math.abs(Math.round(total));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/**
 * The countdown to show, or null when no clock runs (solved/closed, waiting on the customer,
 * or no SLA policy). First response counts until an agent replied publicly; then the next reply
 * (a customer message waiting for an answer) or resolution, whichever is due first.
 */
export function slaCountdown(t: SlaFields, now: Date = new Date()): SlaCountdown | null {
  if (DONE.has(t.status) || WAITING.has(t.status)) return null;
  const first = !t.firstResponseAt && t.firstResponseDueAt;
  const next =
    !first &&
    !!t.nextReplyDueAt &&
    (!t.resolutionDueAt || new Date(t.nextReplyDueAt) < new Date(t.resolutionDueAt));
  const target = first ? 'first response' : next ? 'next reply' : 'resolution';
  const due = first ? t.firstResponseDueAt : next ? t.nextReplyDueAt : t.resolutionDueAt;
  if (!due) return null;
  const dueAt = new Date(due);
  const minutes = (dueAt.getTime() - now.getTime()) / 60_000;
  const flag = first ? t.firstResponseBreached : next ? t.nextReplyBreached : t.resolutionBreached;
  const breached = minutes < 0 || flag === true;
  const name = target === 'first response' ? 'First response' : next ? 'Next reply' : 'Resolution';
  const label =
    minutes < 0
      ? `${name} overdue by ${formatMinutes(minutes)}`
      : breached
        ? `${name} breached`
        : `${name} due in ${formatMinutes(minutes)}`;
  const verb = target === 'resolution' ? 'Solve' : 'Reply';
  const short =
    minutes < 0
      ? `${verb} ${formatMinutes(minutes)} late`
      : breached
        ? `${verb} late`
        : `${verb} in ${formatMinutes(minutes)}`;
  return { target, dueAt, minutes, breached, dueSoon: !breached && minutes <= 60, label, short };
}
