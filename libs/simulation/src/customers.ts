import {
  COMPANY_PREFIXES,
  COMPANY_SUFFIXES,
  FIRST_NAMES,
  LAST_NAMES,
  REGIONS,
  TIER_MIX,
  TIER_TICKET_WEIGHT,
  type Tier,
} from './catalog';
import { CHURN_GRACE_DAYS } from './churn';
import { DAY, clamp, slug, type Contact, type Customer, type Staff, type World } from './model';
import { Rng } from './rng';

// ---------------------------------------------------------------------------------------------
// Customers and contacts

export function generateCustomers(world: World, rng: Rng): Customer[] {
  const usedNames = new Map<string, number>();
  const latestSince = world.now - 7 * DAY;
  const customers: Customer[] = [];
  for (let i = 0; i < world.options.customers; i++) {
    const base = `${rng.pick(COMPANY_PREFIXES)} ${rng.pick(COMPANY_SUFFIXES)}`;
    const seen = usedNames.get(base) ?? 0;
    usedNames.set(base, seen + 1);
    const name = seen === 0 ? base : `${base} ${seen + 1}`;
    const tier = rng.weighted(TIER_MIX);
    // The first customer is the oldest, so every ticket time has someone to file it.
    const since = i === 0 ? world.customersFrom : rng.between(world.customersFrom, latestSince);
    const domain = `${slug(name)}.example`;
    customers.push({
      id: 0,
      name,
      domain,
      tier,
      mrr: monthlyRevenue(tier, rng),
      accountManagerId: accountManagerFor(tier, world.staff, rng),
      since,
      renewalDate: tier === 'free' ? null : nextAnniversary(since, world.now),
      customFields: { region: rng.weighted(REGIONS), seats: seatsFor(tier, rng) },
      activity: rng.logNormal(1, 0.7),
      mood: rng.next() ** 2.5,
      contacts: generateContacts(tier, domain, rng),
      tickets: [],
      status: 'active',
      churnedAt: null,
      gone: [],
      statusChanges: [],
      pain: 0,
      hazard: 0,
      hazardFrom: since + CHURN_GRACE_DAYS * DAY,
    });
  }
  return customers;
}

/** Long-tailed MRR: log-normal around a typical price for the tier, clamped to its band. */
export function monthlyRevenue(tier: Tier, rng: Rng): number {
  switch (tier) {
    case 'free':
      return 0;
    case 'starter':
      return Math.round(clamp(rng.logNormal(120, 0.45), 50, 300));
    case 'pro':
      return Math.round(clamp(rng.logNormal(750, 0.5), 300, 2_000));
    case 'enterprise':
      return Math.round(clamp(rng.logNormal(5_000, 0.65), 2_000, 20_000));
  }
}

export function seatsFor(tier: Tier, rng: Rng): number {
  const typical: Record<Tier, number> = { free: 2, starter: 5, pro: 20, enterprise: 120 };
  return Math.max(1, Math.round(rng.logNormal(typical[tier], 0.5)));
}

export function accountManagerFor(tier: Tier, staff: Staff, rng: Rng): number | null {
  const managed =
    tier === 'pro' || tier === 'enterprise' || (tier === 'starter' && rng.chance(0.25));
  return managed ? rng.pick(staff.accountManagers).id : null;
}

/** Contracts renew yearly on the sign-up anniversary: always within the next 12 months. */
export function nextAnniversary(since: number, now: number): string {
  const d = new Date(since);
  const today = new Date(now);
  d.setUTCFullYear(today.getUTCFullYear());
  if (d.getTime() <= now) d.setUTCFullYear(today.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

export function generateContacts(tier: Tier, domain: string, rng: Rng): Contact[] {
  const extra = tier === 'enterprise' ? 1 : 0;
  const count = Math.min(4, Number(rng.weighted({ 1: 30, 2: 35, 3: 22, 4: 13 })) + extra);
  const emails = new Set<string>();
  const contacts: Contact[] = [];
  while (contacts.length < count) {
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const email = `${firstName}.${lastName}@${domain}`.toLowerCase();
    if (emails.has(email)) continue;
    emails.add(email);
    contacts.push({
      id: 0,
      firstName,
      lastName,
      email,
      phone: rng.chance(0.6) ? `+1-555-01${String(rng.int(0, 99)).padStart(2, '0')}` : null,
      surveyOptOut: rng.chance(0.05),
    });
  }
  return contacts;
}

/**
 * Picks the customer that files a ticket at a given time: among those signed up by then,
 * weighted by tier and activity (binary search over cumulative weights, sorted by sign-up).
 */
export class CustomerPicker {
  private readonly sorted: Customer[];
  private readonly sinces: number[];
  private readonly cumulative: number[];

  constructor(customers: Customer[]) {
    this.sorted = [...customers].sort((a, b) => a.since - b.since);
    this.sinces = this.sorted.map((c) => c.since);
    let total = 0;
    this.cumulative = this.sorted.map((c) => (total += TIER_TICKET_WEIGHT[c.tier] * c.activity));
  }

  pick(at: number, rng: Rng, acceptable: (c: Customer) => boolean = () => true): Customer | null {
    const signedUp = firstIndexAbove(this.sinces, at);
    if (signedUp === 0) return null;
    for (let attempt = 0; attempt < 30; attempt++) {
      const u = rng.next() * this.cumulative[signedUp - 1];
      const candidate = this.sorted[firstIndexAbove(this.cumulative, u)];
      if (acceptable(candidate)) return candidate;
    }
    const rest = this.sorted.slice(0, signedUp).filter(acceptable);
    return rest.length > 0 ? rng.pick(rest) : null;
  }
}

/** Index of the first element of ascending `values` that is greater than `x`. */
export function firstIndexAbove(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
