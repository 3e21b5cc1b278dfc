import { type TeamKey } from './catalog';
import { DAY, HOUR, MINUTE, type Customer, type FollowUp, type Ticket, type World } from './model';
import { Rng, streamRng } from './rng';

// ---------------------------------------------------------------------------------------------
// Follow-ups

/**
 * A few follow-ups: renewal check-ins by account managers, outreach to the unhappiest active
 * customers, and custom reminders on recent tickets. About half are still open (some overdue),
 * the rest done with an outcome, or cancelled.
 */
export function generateFollowUps(world: World, customers: Customer[]): FollowUp[] {
  const rng = streamRng(world.options.seed, 'follow-ups');
  const { now, staff } = world;
  const active = customers.filter((c) => c.status === 'active');
  const atRisk = [...active]
    .sort((a, b) => b.pain - a.pain)
    .slice(0, Math.ceil(active.length * 0.05));
  const managed = active.filter((c) => c.accountManagerId !== null && c.renewalDate !== null);
  const withRecentTickets = active.filter((c) =>
    c.tickets.some((t) => t.createdAt > now - 30 * DAY),
  );
  const count = Math.max(2, Math.ceil(customers.length * 0.04));
  const fallbackOwner = (team: TeamKey) => staff.leads[team].id;

  const followUps: FollowUp[] = [];
  for (const c of atRisk) {
    const owner = c.accountManagerId ?? fallbackOwner('tier1');
    followUps.push(
      followUp(
        world,
        rng,
        c,
        null,
        owner,
        'at_risk_outreach',
        `Reach out to ${c.name}: recent tickets breached SLAs or were reopened.`,
      ),
    );
  }
  for (const c of pickSome(managed, count, rng)) {
    followUps.push(
      followUp(
        world,
        rng,
        c,
        null,
        c.accountManagerId!,
        'check_in',
        `Renewal check-in before ${c.renewalDate}.`,
      ),
    );
  }
  for (const c of pickSome(withRecentTickets, count, rng)) {
    const ticket = c.tickets.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
    const owner = ticket.history.assigneeId ?? fallbackOwner(ticket.team);
    followUps.push(
      followUp(
        world,
        rng,
        c,
        ticket,
        owner,
        'custom',
        `Confirm with ${ticket.requester.firstName} that "${ticket.subject}" stays fixed.`,
      ),
    );
  }
  return followUps;
}

export function pickSome<T>(items: T[], count: number, rng: Rng): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) {
    picked.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]);
  }
  return picked;
}

export const FOLLOW_UP_OUTCOMES = [
  'Spoke with the customer, all good.',
  'Call held; they want a quarterly review.',
  'Sent a summary of the fixes.',
];

export function followUp(
  world: World,
  rng: Rng,
  customer: Customer,
  ticket: Ticket | null,
  ownerId: number,
  kind: FollowUp['kind'],
  note: string,
): FollowUp {
  const { now } = world;
  // Created in the last weeks (after the customer signed up and the ticket came in), at least
  // a few hours ago so an overdue one fits between creation and now.
  const recently = now - rng.between(1, 40) * DAY;
  const createdAt = Math.min(
    now - 3 * HOUR,
    Math.max(customer.since, (ticket?.createdAt ?? 0) + HOUR, recently),
  );
  const status = rng.weighted({ open: 55, done: 40, cancelled: 5 });
  const overdue = status === 'open' && rng.chance(0.4);
  const dueAt = overdue
    ? rng.between(createdAt + HOUR, now - HOUR)
    : createdAt + rng.between(2, 20) * DAY;
  // The worker reminded the owner when an open follow-up fell due.
  const remindedAt = status === 'open' && dueAt < now ? Math.min(now, dueAt + 5 * MINUTE) : null;
  const completedAt =
    status === 'open'
      ? null
      : rng.between(createdAt + HOUR, Math.max(createdAt + 2 * HOUR, Math.min(now, dueAt)));
  const outcome = status === 'done' ? rng.pick(FOLLOW_UP_OUTCOMES) : null;
  return {
    customer,
    ticket,
    ownerId,
    kind,
    status,
    dueAt,
    note,
    outcome,
    createdById: ownerId,
    createdAt,
    completedAt,
    remindedAt,
  };
}
