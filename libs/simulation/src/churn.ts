import { NEGATIVE_SENTIMENT } from '@staydesk/tickets';
import { TIER_PAIN } from './catalog';
import { CustomerPicker } from './customers';
import { DAY, logistic, share, type Customer, type Ticket, type World } from './model';
import { Rng, streamRng } from './rng';
import { requesterOf } from './tickets';

// ---------------------------------------------------------------------------------------------
// Churn

/** Service pain from the customer's own tickets (see the churn model at the top). */
export function painOf(customer: Customer): number {
  const tickets = customer.tickets;
  const breached = tickets.filter(
    (t) => t.history.columns.firstResponseBreached || t.history.columns.resolutionBreached,
  ).length;
  const reopened = tickets.filter((t) => t.history.columns.reopenCount > 0).length;
  let said = 0;
  let negative = 0;
  for (const t of tickets) {
    for (const m of t.history.messages) {
      if (m.kind !== 'customer_message') continue;
      said++;
      if (m.sentiment! < NEGATIVE_SENTIMENT) negative++;
    }
  }
  const shares =
    share(breached, tickets.length) + share(reopened, tickets.length) + share(negative, said);
  return shares / 3 + TIER_PAIN[customer.tier];
}

/** Monthly churn hazard = logistic(CHURN_INTERCEPT + CHURN_PAIN · pain + CHURN_NOISE · ε). */
export const CHURN_INTERCEPT = -5.3;
export const CHURN_PAIN = 4;
export const CHURN_NOISE = 0.7;
/** New customers do not churn in their first 60 days. */
export const CHURN_GRACE_DAYS = 60;
export const MONTH_MS = 30 * DAY;
export const CALM_REASONS = [
  'moved to competitor',
  'budget cuts',
  'company acquired',
  'built it in-house',
];
export const PAIN_REASONS = ['unhappy with support response times', 'too many unresolved issues'];

/** A customer's constant monthly churn hazard from its pain and a noise draw ε ~ N(0, 1). */
export function monthlyHazard(pain: number, noise: number): number {
  return logistic(CHURN_INTERCEPT + CHURN_PAIN * pain + CHURN_NOISE * noise);
}

/**
 * The true probability that a customer still active at `from` churns in (from, to]: the
 * constant hazard applied to the part of the window after its grace period.
 */
export function churnProbability(
  hazard: number,
  hazardFrom: number,
  from: number,
  to: number,
): number {
  const exposed = Math.max(0, to - Math.max(from, hazardFrom));
  return 1 - (1 - hazard) ** (exposed / MONTH_MS);
}

/**
 * When a customer with a constant monthly hazard churns: the hazard clock starts at
 * `hazardFrom`; the waiting time is exponential (the continuous form of "each month, churn with
 * probability h"), so the churn rate of any cohort is flat over time. `u` is uniform in [0, 1).
 * Infinity = not before `until`.
 */
export function churnTime(hazard: number, hazardFrom: number, until: number, u: number): number {
  if (!(hazard > 0)) return Infinity;
  const rate = -Math.log(1 - hazard) / MONTH_MS;
  const at = hazardFrom - Math.log(1 - u) / rate;
  return at < until ? at : Infinity;
}

/**
 * Decides who churns and when, then hands the tickets a gone customer would have filed to
 * customers still around. Returns the tickets that changed hands (to be simulated again).
 *
 * Churn is a stationary process: each customer has a constant monthly hazard (from its service
 * pain, its tier and noise), starting 60 days after sign-up and running from its sign-up (up to
 * three years back) to "now", so the world's monthly churn rate is flat, not bunched near "now".
 */
export function applyChurn(
  world: World,
  customers: Customer[],
  picker: CustomerPicker,
): Set<Ticket> {
  const { now } = world;
  const { seed } = world.options;
  for (const c of customers) c.pain = painOf(c);

  const churners: Customer[] = [];
  const rngs = new Map<Customer, Rng>();
  customers.forEach((c, i) => {
    const rng = streamRng(seed, 'churn', i);
    rngs.set(c, rng);
    c.hazard = monthlyHazard(c.pain, rng.normal());
    const at = churnTime(c.hazard, c.hazardFrom, now - 2 * DAY, rng.next());
    if (at === Infinity) return;
    c.churnedAt = at;
    churners.push(c);
  });
  // A couple of early churners are won back after a few weeks.
  const wonBack = churners
    .filter((c) => c.churnedAt! < now - 45 * DAY)
    .sort((a, b) => a.churnedAt! - b.churnedAt!)
    .slice(0, churners.length >= 6 ? 2 : churners.length >= 3 ? 1 : 0);

  const moved = new Set<Ticket>();
  for (const c of churners) {
    const rng = rngs.get(c)!;
    const churnedAt = c.churnedAt!;
    const returnedAt = wonBack.includes(c)
      ? Math.min(now - DAY, churnedAt + rng.between(20, 40) * DAY)
      : Infinity;
    c.gone = [[churnedAt, returnedAt]];
    if (!handOverTickets(c, picker, seed, moved)) {
      c.gone = []; // nobody could take its tickets over (tiny worlds only): it stays
      c.churnedAt = null;
      continue;
    }
    const reason = rng.pick(c.pain > 0.35 ? PAIN_REASONS : CALM_REASONS);
    c.statusChanges.push({
      from: 'active',
      to: 'churned',
      reason,
      actorId: c.accountManagerId,
      at: churnedAt,
    });
    if (returnedAt === Infinity) {
      c.status = 'churned';
      c.renewalDate = null;
    } else {
      c.churnedAt = null;
      c.statusChanges.push({
        from: 'churned',
        to: 'active',
        reason: 'won back by account manager',
        actorId: c.accountManagerId,
        at: returnedAt,
      });
    }
  }
  return moved;
}

export const isGone = (c: Customer, at: number) =>
  c.gone.some(([from, to]) => at >= from && at < to);

/** Moves the customer's tickets inside its gone windows to others; false if someone was missing. */
export function handOverTickets(
  c: Customer,
  picker: CustomerPicker,
  seed: number,
  moved: Set<Ticket>,
): boolean {
  const affected = c.tickets.filter((t) => isGone(c, t.createdAt));
  const rngs = affected.map((t) => streamRng(seed, 'hand-over', t.stream));
  const takers = affected.map((t, i) =>
    picker.pick(t.createdAt, rngs[i], (o) => !isGone(o, t.createdAt)),
  );
  if (takers.some((taker) => taker === null)) return false;
  affected.forEach((t, i) => {
    const taker = takers[i]!;
    t.customer = taker;
    t.requester = requesterOf(taker, rngs[i]);
    taker.tickets.push(t);
    moved.add(t);
  });
  c.tickets = c.tickets.filter((t) => !affected.includes(t));
  return true;
}
