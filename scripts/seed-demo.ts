/**
 * `npm run seed:demo [-- --customers 200 --tickets 5000 --months 12 --seed 42 --force]`
 *
 * Fills an empty database with a small, realistic helpdesk world for demos and local work:
 * teams and staff, customers with contacts, months of tickets with their full message and event
 * history, SLA outcomes, churn, follow-ups. The world is simulated in memory with a seeded PRNG
 * (mulberry32; every ticket has its own stream), so the same flags give the same world, with
 * timestamps relative to "now". It is then written with set-based
 * `INSERT … SELECT FROM unnest($1::…[], …)` in batches, all in ONE transaction: either the whole
 * world is there or nothing changed. A database that already has customers is left alone
 * unless --force, which first empties every support-desk table.
 *
 * Simulation model
 * ----------------
 * - Arrivals: ticket times are uniform over the last --months months, thinned at night and on
 *   weekends. A ticket goes to a customer that had signed up by then, weighted by tier (free 0.5,
 *   starter 1, pro 2, enterprise 4) times a log-normal per-customer activity, so a few customers
 *   file most tickets. Topic decides the team (billing → Billing; bug, outage, integration →
 *   Technical; the rest → Tier 1) and an agent of that team is assigned.
 * - Every customer has a hidden `mood` in [0, 1] (most near 0): how hard they are to please. It
 *   raises the chance of angry messages (scored with sentimentOf) and of reopening solved tickets.
 * - A ticket's life is a small state machine driven by log-normal delays scaled by the SLA target,
 *   priority and channel: new → open when an agent picks it up, then every agent reply either
 *   solves it (open → solved), asks the customer something (open → pending; the answer moves it
 *   back pending → open, or the customer goes silent and the agent solves it, pending → solved),
 *   or parks it while engineering looks (open → on_hold → open). A solved ticket is reopened by
 *   an unhappy customer (solved → open) or closes automatically ~4 days later (solved → closed).
 *   The clock stops at "now": what would happen later has not happened yet, so recent tickets
 *   form the live queue.
 * - Events are written the way the api writes them (`created`, `status_changed`, a
 *   `first_response` at the first public reply, some `priority_changed` at pickup and
 *   `assignee_changed` by a team lead). The ticket row (status, first_response_at, solved_at,
 *   counters, SLA flags, next_due_at, …) is derived from the simulated events and messages by one
 *   function, `ticketColumns`, never tracked on the side, so rows and history always agree; the
 *   SLA flags use the api's own rules (slaBreaches, nextDueAt from @staydesk/tickets).
 *
 * - Surveys: a CSAT survey after most first solves (a third answered, the rating falling with
 *   breaches, reopens, angry messages and the customer's mood), some with a CES rating, and a
 *   quarterly NPS for the main contact (see generateSurveys).
 *
 * Churn model
 * -----------
 * From its simulated tickets each customer gets a service "pain" score
 *   pain = mean(share of its tickets that breached an SLA, share of its tickets reopened,
 *               share of its messages with negative sentiment) + tier bonus (free 0.15, starter 0.05)
 * and a constant monthly churn hazard h = logistic(-5.3 + 4·pain + 0.7·ε), ε ~ N(0, 1): service
 * experience drives churn, the noise (price, product, chance) keeps it from being a formula. The
 * hazard applies from 60 days after sign-up until "now" (sign-ups reach three years back), and the
 * churn moment is drawn from it (exponential waiting time), so the world's monthly churn *rate*
 * is flat over time (about 1.5 % a month, ~4.5 % per 90 days); monthly churn *counts* grow with
 * the customer base. Each customer's h and its start are written to `simulation_oracle`, so
 * risk:backtest can report how well the truth itself ranks (the scorer never reads it). Tickets
 * the simulation had placed after a churn are handed to other customers and simulated again, so
 * a churned customer files nothing once gone. One or two early churners are won back later
 * (churned → active, two status-change rows).
 */
import bcrypt from 'bcryptjs';
import { Client } from 'pg';
import {
  ConfigError,
  DatabaseStartupError,
  copyLine,
  copyToClient,
  describeDatabaseUrl,
  loadConfig,
  prepareDatabase,
} from '@staydesk/core';
import { NEGATIVE_SENTIMENT, nextDueAt, sentimentOf, slaBreaches } from '@staydesk/tickets';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const EMAIL_DOMAIN = 'demo.staydesk.local';
export const DEMO_PASSWORD = 'staydesk-demo';
const BATCH_ROWS = 5000;
/** Every support-desk table, emptied by --force. */
export const DOMAIN_TABLES = [
  'audit_log',
  'follow_ups',
  'surveys',
  'ticket_events',
  'ticket_messages',
  'tickets',
  'sla_policies',
  'contacts',
  'customer_status_changes',
  'simulation_oracle',
  'customers',
  'users',
  'teams',
];

// ---------------------------------------------------------------------------------------------
// Command line

export interface SeedOptions {
  customers: number;
  tickets: number;
  months: number;
  seed: number;
  force: boolean;
}

/** A wrong command line; its message is printed as is. */
export class UsageError extends Error {}

const USAGE =
  'usage: seed-demo [--customers N] [--tickets N] [--months N] [--seed N] [--force] [--help]';
const NUMERIC_FLAGS = {
  customers: [1, 1_000_000],
  tickets: [0, 10_000_000],
  months: [1, 120],
  seed: [0, 4_294_967_295],
} as const;

/**
 * The command line of the world builders (this seeder and data:generate): `--force`, `--help`,
 * and whole-number flags (`--name N` or `--name=N`) within their ranges; anything else is a
 * {@link UsageError} that ends with `usage`.
 */
export function parseWorldFlags<F extends string>(
  argv: string[],
  defaults: NoInfer<Record<F, number> & { force: boolean }>,
  ranges: Record<F, readonly [number, number]>,
  usage: string,
): (Record<F, number> & { force: boolean }) | 'help' {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--force') {
      options.force = true;
      continue;
    }
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match || !Object.hasOwn(ranges, match[1])) {
      throw new UsageError(`unknown argument "${arg}"; ${usage}`);
    }
    const flag = match[1] as F;
    const raw = match[2] ?? argv[++i];
    const [min, max] = ranges[flag];
    if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new UsageError(`--${flag} needs a whole number from ${min} to ${max}; ${usage}`);
    }
    (options as Record<F, number>)[flag] = Number(raw);
  }
  return options;
}

function parseArgs(argv: string[]): SeedOptions | 'help' {
  return parseWorldFlags(
    argv,
    { customers: 200, tickets: 5000, months: 12, seed: 42, force: false },
    NUMERIC_FLAGS,
    USAGE,
  );
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a tiny, fast PRNG with a 32-bit state, plenty for demo data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** Whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    let u = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, w] of entries) {
      u -= w;
      if (u < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal around `median`; `sigma` is the spread of its logarithm. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

/** An independent stream per purpose (and per ticket), so one part's draws never shift another's. */
export function streamRng(seed: number, stream: string, index = 0): Rng {
  let h = 0x811c9dc5; // FNV-1a
  for (const ch of `${seed}:${stream}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b); // murmur3 finaliser: neighbouring indices diverge
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return new Rng(h ^ (h >>> 16));
}

// ---------------------------------------------------------------------------------------------
// The vocabulary of the world

export type Tier = 'free' | 'starter' | 'pro' | 'enterprise';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Channel = 'email' | 'web' | 'chat' | 'phone' | 'social';
export type Status = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type Topic =
  'billing' | 'login' | 'bug' | 'feature-request' | 'outage' | 'onboarding' | 'integration';
export type Role = 'agent' | 'team_lead' | 'account_manager' | 'admin';
export type TeamKey = 'tier1' | 'billing' | 'technical';
type Tone = 'angry' | 'neutral' | 'happy';

const TIER_MIX: Record<Tier, number> = { free: 30, starter: 40, pro: 22, enterprise: 8 };
/** How many tickets a customer of the tier files, relative to a starter customer. */
const TIER_TICKET_WEIGHT: Record<Tier, number> = { free: 0.5, starter: 1, pro: 2, enterprise: 4 };
/** Churn pain a tier adds by itself: cheap plans are easy to leave. */
const TIER_PAIN: Record<Tier, number> = { free: 0.15, starter: 0.05, pro: 0, enterprise: 0 };
const CHANNEL_MIX: Record<Channel, number> = { email: 45, web: 20, chat: 20, phone: 10, social: 5 };
const PRIORITY_MIX: Record<Priority, number> = { low: 20, normal: 50, high: 22, urgent: 8 };
const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
const TOPIC_MIX: Record<Topic, number> = {
  billing: 20,
  login: 14,
  bug: 22,
  'feature-request': 9,
  outage: 6,
  onboarding: 12,
  integration: 17,
};
const TOPIC_TEAM: Record<Topic, TeamKey> = {
  billing: 'billing',
  login: 'tier1',
  bug: 'technical',
  'feature-request': 'tier1',
  outage: 'technical',
  onboarding: 'tier1',
  integration: 'technical',
};
/** Chance that an agent's first reply already solves a ticket of the topic. */
const SOLVE_BASE: Record<Topic, number> = {
  billing: 0.45,
  login: 0.45,
  bug: 0.25,
  'feature-request': 0.55,
  outage: 0.3,
  onboarding: 0.35,
  integration: 0.25,
};
/** Chance per agent reply that the ticket waits for engineering (on hold). */
const HOLD_CHANCE: Record<Topic, number> = {
  billing: 0.03,
  login: 0.02,
  bug: 0.15,
  'feature-request': 0.12,
  outage: 0.05,
  onboarding: 0.02,
  integration: 0.13,
};
/** Median agent reply time after a customer message, by priority. */
const AGENT_DELAY: Record<Priority, number> = {
  urgent: 20 * MINUTE,
  high: 1 * HOUR,
  normal: 3 * HOUR,
  low: 6 * HOUR,
};
/** Median customer answer time to a question, by priority (the more it hurts, the faster). */
const CUSTOMER_DELAY: Record<Priority, number> = {
  urgent: 45 * MINUTE,
  high: 3 * HOUR,
  normal: 6 * HOUR,
  low: 10 * HOUR,
};

const DEFAULT_SLA: Record<Priority, { firstResponse: number; resolution: number }> = {
  urgent: { firstResponse: 60, resolution: 8 * 60 },
  high: { firstResponse: 4 * 60, resolution: 24 * 60 },
  normal: { firstResponse: 8 * 60, resolution: 72 * 60 },
  low: { firstResponse: 24 * 60, resolution: 120 * 60 },
};

const weekdayHours = (open: string, close: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [[open, close]]]));

interface TeamDef {
  key: TeamKey;
  name: string;
  timezone: string;
  businessHours: Record<string, string[][]> | null;
  agents: number;
  /** Multiplies first-response times: a small team is slower. */
  pace: number;
}
const TEAM_DEFS: readonly TeamDef[] = [
  { key: 'tier1', name: 'Tier 1', timezone: 'UTC', businessHours: null, agents: 5, pace: 1 },
  {
    key: 'billing',
    name: 'Billing',
    timezone: 'Europe/Berlin',
    businessHours: weekdayHours('09:00', '17:00'),
    agents: 3,
    pace: 1.4,
  },
  {
    key: 'technical',
    name: 'Technical',
    timezone: 'America/New_York',
    businessHours: null,
    agents: 4,
    pace: 1.2,
  },
];

// prettier-ignore
const STAFF_NAMES = [
  'Alex Morgan', 'Jordan Blake', 'Sam Rivera', 'Casey Lin', 'Robin Keller', 'Taylor Brooks',
  'Morgan Hale', 'Jamie Ortiz', 'Avery Chen', 'Riley Novak', 'Quinn Adler', 'Drew Santos',
  'Harper Lund', 'Emery Walsh', 'Rowan Iqbal', 'Skyler Dunn', 'Parker Voss', 'Reese Tanaka',
  'Dakota Fenn',
];
// prettier-ignore
const FIRST_NAMES = [
  'Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas',
  'Kenji', 'Lena', 'Marco', 'Nora', 'Omar', 'Paula', 'Quentin', 'Rosa', 'Sven', 'Tara',
  'Umar', 'Vera', 'Wei', 'Xenia', 'Yusuf', 'Zoe', 'Priya', 'Lukas', 'Mia', 'Noah',
  'Sofia', 'Arjun', 'Chloe', 'Mateo', 'Amara', 'Felix', 'Ingrid', 'Kofi', 'Leila', 'Raj',
];
// prettier-ignore
const LAST_NAMES = [
  'Schmidt', 'Okafor', 'Garcia', 'Nguyen', 'Kowalski', 'Rossi', 'Silva', 'Tanaka', 'Johansson',
  'Dubois', 'Novak', 'Patel', 'Kim', 'Haddad', 'Fischer', 'Moreau', 'Lindqvist', 'Costa',
  'Brennan', 'Ivanova', 'Mendes', 'Larsen', 'Weber', 'Ahmed', 'Clarke', 'Romero', 'Yilmaz',
  'Becker', 'Sato', 'Olsen', 'Fernandes', 'Nowak', 'Bauer', 'Hughes', 'Khan', 'Jensen',
];
// prettier-ignore
const COMPANY_PREFIXES = [
  'Acme', 'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Adatum', 'Proseware',
  'Woodgrove', 'Lucerne', 'Wingtip', 'Bluefin', 'Redwood', 'Silverline', 'Brightpath',
  'Clearwater', 'Ironbridge', 'Greenleaf', 'Summit', 'Harbor', 'Pinecrest', 'Cobalt', 'Keystone',
  'Lakeside', 'Meridian', 'Orbit', 'Quantum', 'Sterling', 'Vertex', 'Zephyr', 'Alder', 'Beacon',
  'Cascade', 'Driftwood', 'Evergreen', 'Foxglove', 'Granite', 'Hollis', 'Juniper', 'Kestrel',
];
// prettier-ignore
const COMPANY_SUFFIXES = [
  'Logistics', 'Foods', 'Analytics', 'Labs', 'Health', 'Media', 'Travel', 'Retail', 'Energy',
  'Robotics', 'Finance', 'Studios', 'Apparel', 'Systems', 'Biotech', 'Consulting', 'Games',
  'Insurance', 'Motors', 'Hotels',
];
const REGIONS = { EU: 40, NA: 35, APAC: 15, LATAM: 10 };
const OBJECTS = ['orders', 'contacts', 'invoices', 'projects', 'shipments', 'products'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August'];

/** What a ticket is about: its subject and what the customer writes first (neutral voice). */
export interface Issue {
  subject: string;
  detail: string;
}
const ISSUES: Record<Topic, readonly Issue[]> = {
  billing: [
    {
      subject: 'Invoice {inv} charged twice',
      detail: 'We were billed twice for invoice {inv}. Could you check and refund the duplicate?',
    },
    {
      subject: 'VAT number missing on invoice {inv}',
      detail: 'Our finance team needs invoice {inv} with our VAT number on it.',
    },
    {
      subject: 'Refund for unused seats',
      detail: 'We reduced our seats but the {month} invoice still shows the old number.',
    },
    {
      subject: 'Card declined on renewal',
      detail: 'Our renewal payment did not go through with the company card. Can you retry it?',
    },
    {
      subject: 'Please update our billing address',
      detail: 'We moved offices. Please put our new address on the next invoices.',
    },
  ],
  login: [
    {
      subject: 'Cannot log in after password reset',
      detail:
        'Since the password reset {n} of our users cannot sign in, they end up on the login page again.',
    },
    {
      subject: 'SSO login loop for {n} users',
      detail:
        'With single sign-on, {n} users go back and forth between our identity provider and the login page.',
    },
    {
      subject: 'Two-factor code never arrives',
      detail: 'The two-factor code does not arrive by SMS for our admin.',
    },
    {
      subject: 'Invite link expired for a new teammate',
      detail: 'A new teammate cannot accept the invite, the link says it expired.',
    },
  ],
  bug: [
    {
      subject: 'CSV export fails for {object}',
      detail: 'Exporting {object} to CSV stops at 80 percent and nothing is downloaded.',
    },
    {
      subject: 'Dashboard totals do not match reports',
      detail: 'The dashboard shows different totals than the monthly report for {object}.',
    },
    {
      subject: 'Attachments fail to upload in Safari',
      detail: 'Uploading attachments does not work in Safari, the spinner never ends.',
    },
    {
      subject: 'Notifications are sent twice',
      detail: 'Every notification about new {object} reaches us twice since {month}.',
    },
    {
      subject: 'Reports page times out',
      detail: 'The reports page for {object} loads for a minute and then shows a timeout.',
    },
  ],
  'feature-request': [
    {
      subject: 'Feature request: scheduled weekly reports',
      detail: 'Could you add scheduled weekly reports? We build them by hand every Monday.',
    },
    {
      subject: 'Request: bulk edit for {object}',
      detail: 'We would like to edit many {object} at once instead of one by one.',
    },
    {
      subject: 'Custom fields in the {object} export',
      detail: 'Is there a way to include custom fields in the {object} export?',
    },
    {
      subject: 'Higher API rate limits',
      detail: 'Our nightly sync of {object} hits the API rate limit. Could it be raised for us?',
    },
  ],
  outage: [
    {
      subject: 'Workspace down for our whole team',
      detail: 'Nobody on our team can load the workspace right now.',
    },
    {
      subject: 'API returns 503 errors',
      detail: 'Your API has answered with 503 for the last {n} minutes.',
    },
    {
      subject: 'Webhooks stopped firing',
      detail: 'Webhooks have not fired since around {hour}:00 today.',
    },
    {
      subject: 'Pages load extremely slowly since this morning',
      detail: 'Every page takes {n} seconds to load since this morning.',
    },
  ],
  onboarding: [
    {
      subject: 'Help setting up our workspace',
      detail: 'We are new and want to set up teams and permissions the right way.',
    },
    {
      subject: 'How do we import existing {object}?',
      detail: 'How can we import our existing {object} from a spreadsheet?',
    },
    {
      subject: 'Training session for new agents',
      detail: 'Could we book a short training session for {n} new agents?',
    },
  ],
  integration: [
    {
      subject: 'Slack integration stopped posting',
      detail: 'The Slack integration no longer posts new tickets to our channel.',
    },
    {
      subject: 'Salesforce sync misses {object}',
      detail: 'The Salesforce sync seems to skip some {object}.',
    },
    {
      subject: 'Zapier trigger does not fire',
      detail: 'Our Zapier trigger for new {object} does not run anymore.',
    },
    {
      subject: 'Webhook signature validation fails',
      detail: 'Our endpoint turns your webhooks away: the signature never matches our secret.',
    },
  ],
};
/** A second tag, when a ticket has one, comes from a neighbouring topic. */
const RELATED_TOPICS: Record<Topic, readonly Topic[]> = {
  billing: ['onboarding'],
  login: ['bug', 'integration'],
  bug: ['integration', 'outage'],
  'feature-request': ['integration', 'onboarding'],
  outage: ['bug', 'integration'],
  onboarding: ['integration', 'billing'],
  integration: ['bug', 'feature-request'],
};
const ANGRY_OPENERS = [
  'This is unacceptable and we are furious.',
  'We are frustrated and angry.',
  'This is a terrible, awful mess.',
  'Honestly, this is a disaster and we are angry.',
];
const ANGRY_CLOSERS = [
  'Terrible experience, we are very disappointed.',
  'Worst support we have had, fix it now.',
  'We are losing money and patience.',
];
const FOLLOW_UPS: Record<Tone, readonly string[]> = {
  angry: [
    'It is still broken. We are frustrated and losing time every day.',
    'Still broken after trying your steps. This is unacceptable.',
    'We have waited far too long for an answer. Terrible, useless service.',
    'Your suggestion did not help at all. Very disappointed.',
  ],
  neutral: [
    'Here is the screenshot you asked for.',
    'Attached the logs from this morning.',
    'We use Chrome on Windows, version {n}.',
    'Our account id is {account}.',
    'It happens for {n} users, mostly in the afternoon.',
  ],
  happy: [
    'Thanks for the quick reply! Here is the screenshot you asked for.',
    'Great, thank you. I attached the file.',
    'Thank you, that helps a lot. I tried it and will confirm tomorrow.',
  ],
};
const REOPENS: Record<'angry' | 'neutral', readonly string[]> = {
  angry: [
    'It is still broken! You closed this without fixing it. Unacceptable and frustrating.',
    'The same failure is back and we are frustrated and angry. Escalate this.',
    'Nothing changed on our side, still broken. This is terrible.',
  ],
  neutral: [
    'It happened again this morning, could you take another look?',
    'One more question about this before we close it.',
  ],
};
const REPLIES: Record<'ask' | 'hold' | 'solve', readonly string[]> = {
  ask: [
    'Hi {first}, thanks for reaching out. Could you send us a screenshot and the time it happened? That will help us narrow it down.',
    'Hi {first}, thanks for the details. Which browser and version are you using?',
    'Hi {first}, I am looking into this. Can you confirm the account id and the affected users?',
  ],
  hold: [
    'Hi {first}, I have escalated this to our engineering team and will update you as soon as I hear back.',
    'Hi {first}, this needs a change from our developers. I will keep you posted on the progress.',
  ],
  solve: [
    'Hi {first}, we found the cause and deployed a fix. It should work now; let us know if anything else comes up.',
    'Hi {first}, I have corrected this on our side. You should see the change right away.',
    'Hi {first}, thanks for your patience. This is resolved now.',
  ],
};
const TOPIC_SOLVES: Partial<Record<Topic, string>> = {
  billing:
    'Hi {first}, I have corrected the invoice and issued the refund; it shows on your statement within 5 business days.',
  'feature-request':
    'Hi {first}, thanks for the suggestion! I passed it to our product team and added your vote.',
  onboarding:
    'Hi {first}, I sent you our setup guide and booked the session. Enjoy getting started!',
};
const NOTES = [
  'Reproduced on staging.',
  'Linked to engineering issue ENG-{n}.',
  'Customer is on the {tier} plan, keep them updated.',
  'Checked the logs, the errors started at {hour}:{mm}.',
  'Asked the payments provider for the transaction trace.',
];

// ---------------------------------------------------------------------------------------------
// The world's model

export interface SlaPolicy {
  id: number;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface StaffMember {
  id: number;
  email: string;
  name: string;
  role: Role;
  team: TeamKey | null;
}

export interface Staff {
  teamIds: Record<TeamKey, number>;
  leads: Record<TeamKey, StaffMember>;
  agents: Record<TeamKey, StaffMember[]>;
  accountManagers: StaffMember[];
  all: StaffMember[];
}

export interface World {
  options: SeedOptions;
  now: number;
  /** Tickets are created from here to now. */
  ticketsFrom: number;
  /** Customers signed up from here on. */
  customersFrom: number;
  staff: Staff;
  sla: Record<Priority, SlaPolicy>;
}

export interface Contact {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  surveyOptOut: boolean;
}

interface StatusChange {
  from: 'active' | 'churned';
  to: 'active' | 'churned';
  reason: string;
  actorId: number | null;
  at: number;
}

export interface Customer {
  id: number;
  name: string;
  domain: string;
  tier: Tier;
  mrr: number;
  accountManagerId: number | null;
  since: number;
  renewalDate: string | null;
  customFields: Record<string, string | number>;
  /** Ticket volume relative to the tier's (log-normal around 1). */
  activity: number;
  /** How hard the customer is to please, 0 (easy) … 1 (hard). Hidden: it only shapes behaviour. */
  mood: number;
  contacts: Contact[];
  tickets: Ticket[];
  status: 'active' | 'churned';
  churnedAt: number | null;
  /** When the customer was gone [from, to): no tickets are filed then. */
  gone: [number, number][];
  statusChanges: StatusChange[];
  pain: number;
  /** True monthly churn hazard (the oracle): constant per customer, from {@link hazardFrom}. */
  hazard: number;
  /** When the hazard starts to apply (60 days after sign-up). */
  hazardFrom: number;
}

export interface TicketEvent {
  type: 'created' | 'status_changed' | 'assignee_changed' | 'priority_changed' | 'first_response';
  actorId: number | null;
  from: string | null;
  to: string | null;
  at: number;
}

export interface TicketMessage {
  kind: 'public_reply' | 'internal_note' | 'customer_message';
  authorUserId: number | null;
  /** The customer's contact who wrote it (its id is known only when written). */
  authorContact: Contact | null;
  body: string;
  sentiment: number | null;
  at: number;
}

/** Everything on the tickets row that follows from the history (see {@link ticketColumns}). */
export interface TicketColumns {
  status: Status;
  firstResponseAt: number | null;
  solvedAt: number | null;
  closedAt: number | null;
  reopenCount: number;
  solveCount: number;
  lastMessageAt: number | null;
  updatedAt: number;
  firstResponseDueAt: number;
  resolutionDueAt: number;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  nextDueAt: number | null;
}

/** What happened to a ticket, as simulated: the history and the row derived from it. */
export interface TicketHistory {
  events: TicketEvent[];
  messages: TicketMessage[];
  assigneeId: number | null;
  columns: TicketColumns;
}

export interface Ticket {
  id: number;
  /** Names the ticket's own PRNG streams (its position when generated, not its id). */
  stream: number;
  createdAt: number;
  customer: Customer;
  requester: Contact;
  topic: Topic;
  subject: string;
  tags: string[];
  channel: Channel;
  priority: Priority;
  issue: Issue;
  /** Placeholder values shared by the subject and the first message (invoice number, …). */
  facts: Record<string, string>;
  /** Differs from `priority` when the agent re-prioritised at pickup. */
  initialPriority: Priority;
  team: TeamKey;
  /** null: nobody has picked it up yet (the fresh, unassigned part of the queue). */
  firstAssignee: StaffMember | null;
  history: TicketHistory;
}
type TicketSpec = Omit<Ticket, 'history'>;

export interface FollowUp {
  customer: Customer;
  ticket: Ticket | null;
  ownerId: number;
  kind: 'check_in' | 'at_risk_outreach' | 'custom';
  status: 'open' | 'done' | 'cancelled';
  dueAt: number;
  note: string;
  outcome: string | null;
  createdById: number;
  createdAt: number;
  completedAt: number | null;
  remindedAt: number | null;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));
export const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

export function monthsBefore(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}

/** Fills `{name}` placeholders from `vars`, inventing plausible values for the generic ones. */
function fill(template: string, rng: Rng, vars: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (vars[key] !== undefined) return vars[key];
    switch (key) {
      case 'inv':
        return `INV-${rng.int(10_000, 99_999)}`;
      case 'account':
        return `ACC-${rng.int(1_000, 9_999)}`;
      case 'n':
        return String(rng.int(2, 40));
      case 'object':
        return rng.pick(OBJECTS);
      case 'month':
        return rng.pick(MONTH_NAMES);
      case 'hour':
        return String(rng.int(6, 18));
      case 'mm':
        return String(rng.int(0, 59)).padStart(2, '0');
      default:
        return key;
    }
  });
}

const sentimentCache = new Map<string, number>();
function cachedSentiment(body: string): number {
  let score = sentimentCache.get(body);
  if (score === undefined) {
    score = sentimentOf(body);
    sentimentCache.set(body, score);
  }
  return score;
}

// ---------------------------------------------------------------------------------------------
// Customers and contacts

function generateCustomers(world: World, rng: Rng): Customer[] {
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
function monthlyRevenue(tier: Tier, rng: Rng): number {
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

function seatsFor(tier: Tier, rng: Rng): number {
  const typical: Record<Tier, number> = { free: 2, starter: 5, pro: 20, enterprise: 120 };
  return Math.max(1, Math.round(rng.logNormal(typical[tier], 0.5)));
}

function accountManagerFor(tier: Tier, staff: Staff, rng: Rng): number | null {
  const managed =
    tier === 'pro' || tier === 'enterprise' || (tier === 'starter' && rng.chance(0.25));
  return managed ? rng.pick(staff.accountManagers).id : null;
}

/** Contracts renew yearly on the sign-up anniversary: always within the next 12 months. */
function nextAnniversary(since: number, now: number): string {
  const d = new Date(since);
  const today = new Date(now);
  d.setUTCFullYear(today.getUTCFullYear());
  if (d.getTime() <= now) d.setUTCFullYear(today.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

function generateContacts(tier: Tier, domain: string, rng: Rng): Contact[] {
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
class CustomerPicker {
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
function firstIndexAbove(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Tickets: arrival

/** Arrival times: uniform, thinned at night (UTC) and on weekends, slightly growing over time. */
function arrivalTime(world: World, rng: Rng): number {
  const span = world.now - world.ticketsFrom;
  for (;;) {
    const t = world.ticketsFrom + rng.next() * span;
    const d = new Date(t);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const daytime = d.getUTCHours() >= 7 && d.getUTCHours() < 19;
    const weight =
      (weekend ? 0.35 : 1) * (daytime ? 1 : 0.35) * (0.8 + (0.2 * (t - world.ticketsFrom)) / span);
    if (rng.chance(weight)) return t;
  }
}

/**
 * Ticket number `stream` draws its arrival, its attributes and its life from streams of its own,
 * so a draw that depends on the clock (a ticket near "now") never shifts any other ticket.
 * Tickets come back in arrival order.
 */
function generateTickets(world: World, picker: CustomerPicker): Ticket[] {
  const { seed } = world.options;
  const arrivals = Array.from({ length: world.options.tickets }, (_, stream) => ({
    stream,
    at: arrivalTime(world, streamRng(seed, 'arrival', stream)),
  }));
  arrivals.sort((a, b) => a.at - b.at || a.stream - b.stream);
  return arrivals.map(({ stream, at }) => {
    const rng = streamRng(seed, 'ticket', stream);
    const customer = picker.pick(at, rng);
    if (!customer) throw new Error(`no customer had signed up by ${iso(at)}`);
    return newTicket(world, stream, at, customer, rng);
  });
}

function newTicket(world: World, stream: number, at: number, customer: Customer, rng: Rng): Ticket {
  const topic = rng.weighted(TOPIC_MIX);
  const priority = rng.weighted(PRIORITY_MIX);
  const channel = rng.weighted(CHANNEL_MIX);
  const team = TOPIC_TEAM[topic];
  const tags = new Set<string>([topic]);
  if (rng.chance(0.2)) tags.add(rng.pick(RELATED_TOPICS[topic]));
  const issue = rng.pick(ISSUES[topic]);
  const facts = {
    inv: `INV-${rng.int(10_000, 99_999)}`,
    n: String(rng.int(2, 40)),
    object: rng.pick(OBJECTS),
    month: rng.pick(MONTH_NAMES),
    hour: String(rng.int(6, 18)),
  };
  const agent = rng.pick(world.staff.agents[team]);
  // The freshest tickets are sometimes still waiting for anyone to pick them up.
  const untouched = rng.chance(0.15);
  const unassigned = untouched && channel !== 'phone' && at > world.now - 3 * DAY;
  const spec: TicketSpec = {
    id: 0,
    stream,
    createdAt: at,
    customer,
    requester: requesterOf(customer, rng),
    topic,
    subject: fill(issue.subject, rng, facts),
    issue,
    facts,
    tags: [...tags].sort(), // stored like the api stores them: unique and sorted
    channel,
    priority,
    initialPriority: rng.chance(0.06) ? neighbourPriority(priority, rng) : priority,
    team,
    firstAssignee: unassigned ? null : agent,
  };
  return { ...spec, history: simulateTicket(spec, world) };
}

/** The main contact files about half of a customer's tickets. */
function requesterOf(customer: Customer, rng: Rng): Contact {
  return rng.chance(0.5) ? customer.contacts[0] : rng.pick(customer.contacts);
}

function neighbourPriority(priority: Priority, rng: Rng): Priority {
  const i = PRIORITIES.indexOf(priority);
  if (i === 0) return PRIORITIES[1];
  if (i === PRIORITIES.length - 1) return PRIORITIES[i - 1];
  return PRIORITIES[rng.chance(0.5) ? i - 1 : i + 1];
}

// ---------------------------------------------------------------------------------------------
// Tickets: life

/** Simulates (or re-simulates, after a hand-over) a ticket's history and derives its row. */
function simulateTicket(ticket: TicketSpec, world: World): TicketHistory {
  const life = new TicketLife(ticket, world, streamRng(world.options.seed, 'life', ticket.stream));
  life.run();
  const { events, messages, assigneeId } = life;
  const sla = world.sla[ticket.priority];
  return {
    events,
    messages,
    assigneeId,
    columns: ticketColumns(ticket, events, messages, sla, world.now),
  };
}

type ReplyOutcome = 'ask' | 'hold' | 'solve';

/**
 * One ticket's history as a state machine (see the model at the top of the file). Each step
 * happens at a time strictly after the previous status change; a step whose time is after
 * "now" has not happened yet, and the simulation stops there.
 */
class TicketLife {
  readonly events: TicketEvent[] = [];
  readonly messages: TicketMessage[] = [];
  private assignee: StaffMember | null;
  private currentStatus: Status = 'new';
  private lastStatusAt = -Infinity;
  private replies = 0;
  private reopens = 0;
  private held = false;
  private reassigned = false;

  constructor(
    private readonly ticket: TicketSpec,
    private readonly world: World,
    private readonly rng: Rng,
  ) {
    this.assignee = ticket.firstAssignee;
  }

  get assigneeId(): number | null {
    return this.assignee?.id ?? null;
  }

  run(): void {
    const { ticket } = this;
    const created = ticket.createdAt;
    const byPhone = ticket.channel === 'phone';
    this.event('created', created, byPhone ? this.assigneeId : null, null, 'new');
    this.lastStatusAt = created;
    // A phone ticket starts with the call notes of the agent who took the call.
    if (byPhone) this.staffMessage('internal_note', created, this.assignee!, this.callSummary());
    else this.customerSays(created, 'first');
    if (!this.assignee) return;

    const pickup = created + this.pickupDelay();
    if (!this.happened(pickup)) return;
    if (ticket.initialPriority !== ticket.priority) {
      this.event(
        'priority_changed',
        pickup,
        this.assigneeId,
        ticket.initialPriority,
        ticket.priority,
      );
    }
    this.setStatus('open', pickup, this.assigneeId);
    let next: number | null = pickup + this.rng.between(1, 15) * MINUTE;
    while (next !== null) next = this.agentTurn(next);
  }

  /** The agent answers at `at` (status is open); returns when the agent answers next, if ever. */
  private agentTurn(at: number): number | null {
    if (!this.happened(at)) return null;
    if (this.replies > 0 && !this.reassigned && this.rng.chance(0.06)) this.reassign(at);
    let replyAt = at;
    if (this.rng.chance(0.12)) {
      this.note(at, fill(this.rng.pick(NOTES), this.rng, { tier: this.ticket.customer.tier }));
      replyAt = at + this.rng.between(2, 20) * MINUTE;
      if (!this.happened(replyAt)) return null;
    }
    const outcome = this.replyOutcome();
    this.reply(replyAt, outcome);
    this.replies++;
    switch (outcome) {
      case 'solve':
        this.setStatus('solved', replyAt, this.assigneeId);
        return this.afterSolved(replyAt);
      case 'hold':
        return this.hold(replyAt);
      case 'ask':
        return this.askCustomer(replyAt);
    }
  }

  private replyOutcome(): ReplyOutcome {
    const { topic, channel, priority } = this.ticket;
    const quickChat = channel === 'chat' && this.replies === 0 ? 0.2 : 0;
    const solve = Math.min(0.9, SOLVE_BASE[topic] + 0.15 * this.replies + quickChat);
    const hold = this.held ? 0 : HOLD_CHANCE[topic] * (priority === 'urgent' ? 0.3 : 1);
    const u = this.rng.next();
    return u < solve ? 'solve' : u < solve + hold ? 'hold' : 'ask';
  }

  /** After a solve: an unhappy customer may reopen it, otherwise it closes after ~4 days. */
  private afterSolved(solvedAt: number): number | null {
    const late = solvedAt > this.resolutionDue();
    const reopenChance = 0.02 + 0.2 * this.ticket.customer.mood + (late ? 0.03 : 0);
    if (this.reopens < 2 && this.rng.chance(reopenChance)) {
      const back = solvedAt + this.customerDelay() * 2;
      if (!this.happened(back)) return null;
      this.customerSays(back, 'reopen');
      this.setStatus('open', back, null);
      this.reopens++;
      return back + this.agentDelay();
    }
    const closeAt = solvedAt + 4 * DAY + this.rng.between(0, 8) * HOUR;
    if (this.happened(closeAt)) this.setStatus('closed', closeAt, null);
    return null;
  }

  /** Parked while engineering works on it (days, sometimes weeks), then back to the agent. */
  private hold(at: number): number | null {
    this.held = true;
    this.setStatus('on_hold', at, this.assigneeId);
    const back = at + this.rng.logNormal(5 * DAY, 0.8);
    if (!this.happened(back)) return null;
    this.setStatus('open', back, this.assigneeId);
    return back + this.rng.between(5, 90) * MINUTE;
  }

  /** Waiting for the customer, who answers (→ open) or goes silent (solved after 4–6 days). */
  private askCustomer(at: number): number | null {
    this.setStatus('pending', at, this.assigneeId);
    if (this.rng.chance(0.12)) {
      const solveAt = at + this.rng.between(4, 6) * DAY;
      if (!this.happened(solveAt)) return null;
      this.setStatus('solved', solveAt, this.assigneeId);
      return this.afterSolved(solveAt);
    }
    const answerAt = at + this.customerDelay();
    if (!this.happened(answerAt)) return null;
    this.customerSays(answerAt, 'follow_up');
    this.setStatus('open', answerAt, null);
    return answerAt + this.agentDelay();
  }

  /** The team lead moves the ticket to another agent of the team. */
  private reassign(at: number): void {
    const colleagues = this.world.staff.agents[this.ticket.team].filter((a) => a !== this.assignee);
    if (colleagues.length === 0) return;
    const next = this.rng.pick(colleagues);
    const lead = this.world.staff.leads[this.ticket.team];
    this.event('assignee_changed', at, lead.id, String(this.assigneeId), String(next.id));
    this.assignee = next;
    this.reassigned = true;
  }

  // --- timing ----------------------------------------------------------------------------------

  private happened(at: number): boolean {
    return at <= this.world.now;
  }

  private sla(): SlaPolicy {
    return this.world.sla[this.ticket.priority];
  }

  private resolutionDue(): number {
    return this.ticket.createdAt + this.sla().resolutionMinutes * MINUTE;
  }

  /** Time to first pickup: ~30 % of the SLA target (≈ 10 % breach it); phone and chat are live. */
  private pickupDelay(): number {
    const target = this.sla().firstResponseMinutes * MINUTE;
    const pace = TEAM_DEFS.find((t) => t.key === this.ticket.team)!.pace;
    switch (this.ticket.channel) {
      case 'phone':
        return this.rng.between(1, 10) * MINUTE;
      case 'chat':
        return Math.max(MINUTE, this.rng.logNormal(0.05 * target, 0.8));
      default:
        return Math.max(MINUTE, this.rng.logNormal(0.3 * target * pace, 0.9));
    }
  }

  private agentDelay(): number {
    const chat = this.ticket.channel === 'chat' ? 0.1 : 1;
    return Math.max(MINUTE, this.rng.logNormal(AGENT_DELAY[this.ticket.priority] * chat, 0.8));
  }

  private customerDelay(): number {
    const chat = this.ticket.channel === 'chat' ? 0.1 : 1;
    return Math.max(MINUTE, this.rng.logNormal(CUSTOMER_DELAY[this.ticket.priority] * chat, 1.2));
  }

  // --- writing history -------------------------------------------------------------------------

  private event(
    type: TicketEvent['type'],
    at: number,
    actorId: number | null,
    from: string | null,
    to: string | null,
  ): void {
    this.events.push({ type, actorId, from, to, at });
  }

  private setStatus(to: Status, at: number, actorId: number | null): void {
    if (at <= this.lastStatusAt)
      throw new Error(`ticket ${this.ticket.stream}: time went backwards`);
    this.event('status_changed', at, actorId, this.currentStatus, to);
    this.currentStatus = to;
    this.lastStatusAt = at;
  }

  private customerSays(at: number, kind: 'first' | 'follow_up' | 'reopen'): void {
    const body = this.customerText(kind, this.tone(kind, at));
    const contact = this.ticket.requester;
    this.messages.push({
      kind: 'customer_message',
      authorUserId: null,
      authorContact: contact,
      body,
      sentiment: cachedSentiment(body),
      at,
    });
  }

  /** Angry more often for hard-to-please customers, outages, and tickets past their SLA. */
  private tone(kind: 'first' | 'follow_up' | 'reopen', at: number): Tone {
    const mood = this.ticket.customer.mood;
    let angry: number;
    if (kind === 'first') {
      angry = 0.04 + 0.45 * mood + (this.ticket.topic === 'outage' ? 0.15 : 0);
    } else if (kind === 'reopen') {
      angry = 0.35 + 0.5 * mood;
    } else {
      angry = 0.04 + 0.5 * mood + (at > this.resolutionDue() ? 0.25 : 0);
    }
    if (this.rng.chance(angry)) return 'angry';
    return kind !== 'reopen' && this.rng.chance(0.3) ? 'happy' : 'neutral';
  }

  private customerText(kind: 'first' | 'follow_up' | 'reopen', tone: Tone): string {
    const { rng, ticket } = this;
    let text: string;
    if (kind === 'first') {
      const detail = fill(ticket.issue.detail, rng, ticket.facts);
      text =
        tone === 'angry'
          ? `${rng.pick(ANGRY_OPENERS)} ${detail} ${rng.pick(ANGRY_CLOSERS)}`
          : `Hello,\n\n${detail}${tone === 'happy' ? ' Thanks in advance, great product!' : ''}`;
    } else if (kind === 'reopen') {
      text = fill(rng.pick(REOPENS[tone === 'angry' ? 'angry' : 'neutral']), rng);
    } else {
      text = fill(rng.pick(FOLLOW_UPS[tone]), rng);
    }
    return `${text}\n\n${ticket.requester.firstName}`;
  }

  private callSummary(): string {
    const detail = fill(this.ticket.issue.detail, this.rng, this.ticket.facts);
    return `Call summary: ${this.ticket.requester.firstName} called. "${detail}"`;
  }

  private reply(at: number, outcome: ReplyOutcome): void {
    const template =
      outcome === 'solve'
        ? (TOPIC_SOLVES[this.ticket.topic] ?? this.rng.pick(REPLIES.solve))
        : this.rng.pick(REPLIES[outcome]);
    // Like the api: the first public reply is also a `first_response` event.
    if (!this.messages.some((m) => m.kind === 'public_reply')) {
      this.event('first_response', at, this.assigneeId, null, null);
    }
    const signature = this.assignee!.name.split(' ')[0];
    const body = `${fill(template, this.rng, { first: this.ticket.requester.firstName })}\n\nBest,\n${signature}`;
    this.staffMessage('public_reply', at, this.assignee!, body);
  }

  private note(at: number, body: string): void {
    const lead = this.world.staff.leads[this.ticket.team];
    const author = this.assignee && this.rng.chance(0.85) ? this.assignee : lead;
    this.staffMessage('internal_note', at, author, body);
  }

  private staffMessage(
    kind: 'public_reply' | 'internal_note',
    at: number,
    author: StaffMember,
    body: string,
  ): void {
    this.messages.push({
      kind,
      authorUserId: author.id,
      authorContact: null,
      body,
      sentiment: null,
      at,
    });
  }
}

/**
 * The tickets row as a function of the history: the single place the seeder derives it. SLA due
 * times are created_at + the policy's targets (calendar time); breach flags and next_due_at come
 * from the api's own rules (slaBreaches, nextDueAt): a target is breached when met late, or still
 * unmet after its due time; next_due_at is the next unmet target while the ticket is unsolved.
 */
function ticketColumns(
  ticket: TicketSpec,
  events: TicketEvent[],
  messages: TicketMessage[],
  sla: SlaPolicy,
  now: number,
): TicketColumns {
  let status: Status = 'new';
  let solvedAt: number | null = null;
  let closedAt: number | null = null;
  let reopenCount = 0;
  let solveCount = 0;
  let updatedAt = ticket.createdAt;
  for (const e of events) {
    updatedAt = Math.max(updatedAt, e.at);
    if (e.type !== 'created' && e.type !== 'status_changed') continue;
    status = e.to as Status;
    if (e.to === 'solved') {
      solvedAt = e.at;
      solveCount++;
    }
    if (e.to === 'closed') closedAt = e.at;
    if (e.from === 'solved' && e.to === 'open') reopenCount++;
  }
  let firstResponseAt: number | null = null;
  let lastMessageAt: number | null = null;
  for (const m of messages) {
    if (m.kind === 'public_reply' && (firstResponseAt === null || m.at < firstResponseAt)) {
      firstResponseAt = m.at;
    }
    lastMessageAt = lastMessageAt === null ? m.at : Math.max(lastMessageAt, m.at);
    updatedAt = Math.max(updatedAt, m.at);
  }
  const firstResponseDueAt = ticket.createdAt + sla.firstResponseMinutes * MINUTE;
  const resolutionDueAt = ticket.createdAt + sla.resolutionMinutes * MINUTE;
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  const snapshot = {
    status,
    firstResponseAt: date(firstResponseAt),
    solvedAt: date(solvedAt),
    firstResponseDueAt: new Date(firstResponseDueAt),
    resolutionDueAt: new Date(resolutionDueAt),
  };
  const breaches = slaBreaches(snapshot, new Date(now));
  return {
    status,
    firstResponseAt,
    solvedAt,
    closedAt,
    reopenCount,
    solveCount,
    lastMessageAt,
    updatedAt,
    firstResponseDueAt,
    resolutionDueAt,
    firstResponseBreached: breaches.firstResponse,
    resolutionBreached: breaches.resolution,
    nextDueAt: nextDueAt(snapshot)?.getTime() ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Churn

/** Service pain from the customer's own tickets (see the churn model at the top). */
function painOf(customer: Customer): number {
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
const MONTH_MS = 30 * DAY;
const CALM_REASONS = [
  'moved to competitor',
  'budget cuts',
  'company acquired',
  'built it in-house',
];
const PAIN_REASONS = ['unhappy with support response times', 'too many unresolved issues'];

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
function applyChurn(world: World, customers: Customer[], picker: CustomerPicker): Set<Ticket> {
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

const isGone = (c: Customer, at: number) => c.gone.some(([from, to]) => at >= from && at < to);

/** Moves the customer's tickets inside its gone windows to others; false if someone was missing. */
function handOverTickets(
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

// ---------------------------------------------------------------------------------------------
// Follow-ups

/**
 * A few follow-ups: renewal check-ins by account managers, outreach to the unhappiest active
 * customers, and custom reminders on recent tickets. About half are still open (some overdue),
 * the rest done with an outcome, or cancelled.
 */
function generateFollowUps(world: World, customers: Customer[]): FollowUp[] {
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

function pickSome<T>(items: T[], count: number, rng: Rng): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) {
    picked.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]);
  }
  return picked;
}

const FOLLOW_UP_OUTCOMES = [
  'Spoke with the customer, all good.',
  'Call held; they want a quarterly review.',
  'Sent a summary of the fixes.',
];

function followUp(
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

// ---------------------------------------------------------------------------------------------
// Surveys

export interface Survey {
  kind: 'csat' | 'nps';
  ticket: Ticket | null;
  contact: Contact;
  customer: Customer;
  teamId: number | null;
  agentId: number | null;
  period: string | null;
  sentAt: number;
  respondedAt: number | null;
  score: number | null;
  cesScore: number | null;
  comment: string | null;
}

const LOW_CSAT_COMMENTS = [
  'Took far too long to get an answer.',
  'I had to explain the problem three times.',
  'The issue came back the next day.',
  'Nobody told me what was going on.',
];
const HIGH_CSAT_COMMENTS = ['Quick and friendly, thanks!', 'Solved on the first try.', null, null];
/** NPS periods of 90 days, named as the api names them (npsPeriod in @staydesk/surveys). */
const NPS_PERIOD_DAYS = 90;

/**
 * Survey history as the api would have produced it (its rules simplified):
 * - CSAT: after the first solve of a ticket, unless the requester opted out; about 85 % are sent
 *   (the rest were throttled) an hour after the solve, and a third are answered within hours.
 *   The rating follows the ticket's experience: it starts near 5 and drops for a breached
 *   first-response or resolution target, for a reopen, for angry messages and with the
 *   customer's hidden mood, plus noise. Low ratings often carry a comment. 40 % of answers
 *   also rate effort (CES 1–7).
 * - NPS: every 90-day period, the main contact of an active customer gets one with a 60 %
 *   chance; a quarter answer, and the score falls with the customer's service pain and mood.
 * Generated surveys carry no real token (the hash is not a SHA-256), so their links never open.
 */
export function generateSurveys(world: World, customers: Customer[]): Survey[] {
  const { now, options } = world;
  const surveys: Survey[] = [];
  for (const [index, c] of customers.entries()) {
    for (const t of c.tickets) {
      const solved = t.history.events.find((e) => e.type === 'status_changed' && e.to === 'solved');
      if (!solved || t.requester.surveyOptOut) continue;
      const rng = streamRng(options.seed, 'survey', t.stream);
      const sentAt = solved.at + HOUR;
      if (sentAt >= now || !rng.chance(0.85)) continue;
      const angry = t.history.messages.filter(
        (m) => m.kind === 'customer_message' && m.sentiment! < NEGATIVE_SENTIMENT,
      ).length;
      const cols = t.history.columns;
      const answers = rng.chance(angry > 0 ? 0.25 : 0.35);
      const respondedAt = answers ? sentAt + rng.logNormal(3 * HOUR, 1) : null;
      let score: number | null = null;
      if (respondedAt !== null && respondedAt < now) {
        const mean =
          5 -
          (cols.firstResponseBreached ? 0.8 : 0) -
          (cols.resolutionBreached ? 1 : 0) -
          (cols.reopenCount > 0 ? 0.9 : 0) -
          0.6 * Math.min(angry, 2) -
          1.2 * c.mood;
        score = clamp(Math.round(mean + 0.7 * rng.normal()), 1, 5);
      }
      const answered = score !== null;
      surveys.push({
        kind: 'csat',
        ticket: t,
        contact: t.requester,
        customer: c,
        teamId: world.staff.teamIds[t.team],
        agentId: t.history.assigneeId,
        period: null,
        sentAt,
        respondedAt: answered ? respondedAt : null,
        score,
        cesScore:
          answered && rng.chance(0.4) ? clamp(Math.round(score! * 1.4 + rng.normal()), 1, 7) : null,
        comment: !answered
          ? null
          : score! <= 2
            ? rng.pick(LOW_CSAT_COMMENTS)
            : score! >= 4 && rng.chance(0.3)
              ? rng.pick(HIGH_CSAT_COMMENTS)
              : null,
      });
    }
    const periodMs = NPS_PERIOD_DAYS * DAY;
    for (let p = Math.floor(Math.max(c.since, world.ticketsFrom) / periodMs) + 1; ; p++) {
      const sentAt = p * periodMs + 2 * DAY;
      if (sentAt >= now) break;
      const rng = streamRng(options.seed, `nps-${p}`, index);
      if (isGone(c, sentAt) || (c.churnedAt !== null && sentAt >= c.churnedAt)) continue;
      if (c.contacts[0].surveyOptOut || !rng.chance(0.6)) continue;
      const respondedAt = rng.chance(0.25) ? sentAt + rng.logNormal(DAY, 1) : null;
      const answered = respondedAt !== null && respondedAt < now;
      surveys.push({
        kind: 'nps',
        ticket: null,
        contact: c.contacts[0],
        customer: c,
        teamId: null,
        agentId: null,
        period: `p${NPS_PERIOD_DAYS}-${p}`,
        sentAt,
        respondedAt: answered ? respondedAt : null,
        score: answered
          ? clamp(Math.round(9.2 - 9 * c.pain - 3 * c.mood + 1.5 * rng.normal()), 0, 10)
          : null,
        cesScore: null,
        comment: null,
      });
    }
  }
  return surveys;
}

export async function insertSurveys(db: Db, surveys: Survey[]): Promise<void> {
  const first = await reserveIds(db, 'surveys', surveys.length);
  await insertRows(
    db,
    'surveys',
    [
      { name: 'id', type: 'bigint', value: (s: Survey & { id?: number }) => s.id },
      { name: 'kind', type: 'text', value: (s) => s.kind },
      { name: 'ticket_id', type: 'bigint', value: (s) => s.ticket?.id ?? null },
      { name: 'solve_cycle', type: 'int', value: (s) => (s.ticket ? 1 : null) },
      { name: 'contact_id', type: 'bigint', value: (s) => s.contact.id },
      { name: 'customer_id', type: 'bigint', value: (s) => s.customer.id },
      { name: 'team_id', type: 'bigint', value: (s) => s.teamId },
      { name: 'agent_id', type: 'bigint', value: (s) => s.agentId },
      { name: 'period', type: 'text', value: (s) => s.period },
      { name: 'token_salt', type: 'text', value: () => 'generated' },
      { name: 'token_hash', type: 'text', value: (s) => `generated-${s.id}` },
      { name: 'created_at', type: 'timestamptz', value: (s) => iso(s.sentAt) },
      { name: 'sent_at', type: 'timestamptz', value: (s) => iso(s.sentAt) },
      { name: 'expires_at', type: 'timestamptz', value: (s) => iso(s.sentAt + 14 * DAY) },
      { name: 'responded_at', type: 'timestamptz', value: (s) => isoOrNull(s.respondedAt) },
      { name: 'score', type: 'smallint', value: (s) => s.score },
      { name: 'ces_score', type: 'smallint', value: (s) => s.cesScore },
      { name: 'comment', type: 'text', value: (s) => s.comment },
    ],
    surveys.map((s, i) => ({ ...s, id: first + i })),
  );
}

// ---------------------------------------------------------------------------------------------
// Writing: set-based inserts

export type Db = Client;

interface Column<R> {
  name: string;
  /** PostgreSQL element type of the array parameter. */
  type: string;
  value: (row: R) => unknown;
  /** SQL to turn the unnested element (`ref`) into the column value, if not itself. */
  expr?: (ref: string) => string;
  /** Only an input to `computed` columns (which name it as `{name}`), not a column of the table. */
  inputOnly?: boolean;
}

/** `INSERT INTO table (…) SELECT …` over the refs `c0`, `c1`, … of `columns`, in their order. */
function insertSelect<R>(
  table: string,
  columns: Column<R>[],
  computed: Record<string, string>,
): { insert: string; select: string; refs: string[] } {
  const refs = columns.map((_, i) => `c${i}`);
  const written = columns.map((c, i) => ({ c, ref: refs[i] })).filter(({ c }) => !c.inputOnly);
  const overriding = columns.some((c) => c.name === 'id') ? ' OVERRIDING SYSTEM VALUE' : '';
  const names = [...written.map(({ c }) => c.name), ...Object.keys(computed)];
  const byName = new Map(columns.map((c, i) => [c.name, refs[i]]));
  const values = [
    ...written.map(({ c, ref }) => (c.expr ? c.expr(ref) : ref)),
    ...Object.values(computed).map((sql) =>
      sql.replace(/\{(\w+)\}/g, (_, name: string) => byName.get(name) ?? `{${name}}`),
    ),
  ];
  return {
    insert: `INSERT INTO ${table} (${names.join(', ')})${overriding}`,
    select: `SELECT ${values.join(', ')}`,
    refs,
  };
}

/** Connections that write with `COPY … FROM STDIN` instead of `INSERT … unnest` (see {@link useCopy}). */
const copyClients = new WeakSet<Db>();

/**
 * Switches a connection to PostgreSQL's bulk path: every later {@link insertRows} on it streams
 * its rows with `COPY … FROM STDIN` (text format). The data generator uses it; the demo seeder
 * keeps the plain INSERTs, which are fast enough for its sizes and need no temp tables.
 */
export function useCopy(db: Db): void {
  copyClients.add(db);
}

/**
 * Writes `rows` to `table`: `INSERT INTO table (…) SELECT … FROM unnest($1::t1[], …)` with one
 * array parameter per column and `BATCH_ROWS` rows per statement, or, on a {@link useCopy}
 * connection, one `COPY`. `computed` adds columns that PostgreSQL computes from the written
 * ones (SQL naming written columns as `{name}`). Explicit ids need OVERRIDING SYSTEM VALUE (identity).
 */
async function insertRows<R>(
  db: Db,
  table: string,
  columns: Column<R>[],
  rows: R[],
  computed: Record<string, string> = {},
): Promise<void> {
  if (rows.length === 0) return;
  if (copyClients.has(db)) return copyRows(db, table, columns, rows, computed);
  const { insert, select, refs } = insertSelect(table, columns, computed);
  const sql =
    `${insert} ${select} ` +
    `FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) AS u(${refs.join(', ')})`;
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    await db.query(
      sql,
      columns.map((c) => batch.map(c.value)),
    );
  }
}

/**
 * COPY path of {@link insertRows}. Plain columns stream straight into the table; when a column
 * needs SQL (an `expr`, or `computed` columns such as a tsvector) the rows go through a
 * transaction-local staging table and one `INSERT … SELECT`.
 */
async function copyRows<R>(
  db: Db,
  table: string,
  columns: Column<R>[],
  rows: R[],
  computed: Record<string, string>,
): Promise<void> {
  const staged = columns.some((c) => c.expr || c.inputOnly) || Object.keys(computed).length > 0;
  const target = staged ? `pg_temp.stage_${table}` : table;
  const { insert, select, refs } = insertSelect(table, columns, computed);
  if (staged) {
    await db.query(
      `CREATE TEMP TABLE IF NOT EXISTS stage_${table} (${columns.map((c, i) => `${refs[i]} ${c.type}`).join(', ')}) ON COMMIT DELETE ROWS`,
    );
    await db.query(`TRUNCATE ${target}`);
  }
  const names = staged ? refs : columns.map((c) => c.name);
  const lines = function* () {
    let chunk = '';
    for (const row of rows) {
      chunk += copyLine(columns.map((c) => c.value(row)));
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await copyToClient(db, `COPY ${target} (${names.join(', ')}) FROM STDIN`, lines());
  if (staged) {
    await db.query(`${insert} ${select} FROM ${target}`);
    await db.query(`TRUNCATE ${target}`);
  }
}

/**
 * Reserves `count` consecutive ids from the table's identity sequence and returns the first, so
 * rows can reference each other before they are written. Safe: the seeder holds a lock on
 * customers, and every bulk table hangs off customers.
 */
export async function reserveIds(db: Db, table: string, count: number): Promise<number> {
  if (count === 0) return 0;
  // nextval + setval is two steps: a session lock keeps concurrent generators' ranges apart.
  await db.query(`SELECT pg_advisory_lock(hashtext('staydesk:reserve-ids'))`);
  try {
    const { rows } = await db.query<{ last: string }>(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), nextval(pg_get_serial_sequence($1, 'id')) + $2 - 1) AS last`,
      [table, count],
    );
    return Number(rows[0].last) - count + 1;
  } finally {
    await db.query(`SELECT pg_advisory_unlock(hashtext('staydesk:reserve-ids'))`);
  }
}

export async function ensureSlaPolicies(db: Db): Promise<Record<Priority, SlaPolicy>> {
  const general = `active AND channel IS NULL AND tier IS NULL`;
  const existing = await db.query<{ priority: Priority }>(
    `SELECT priority FROM sla_policies WHERE ${general}`,
  );
  const missing = PRIORITIES.filter((p) => !existing.rows.some((r) => r.priority === p));
  await insertRows(
    db,
    'sla_policies',
    [
      { name: 'name', type: 'text', value: (p: Priority) => `Default ${p}` },
      { name: 'priority', type: 'text', value: (p) => p },
      { name: 'first_response_minutes', type: 'int', value: (p) => DEFAULT_SLA[p].firstResponse },
      { name: 'resolution_minutes', type: 'int', value: (p) => DEFAULT_SLA[p].resolution },
      { name: 'business_hours', type: 'boolean', value: () => false },
    ],
    missing,
  );
  const { rows } = await db.query<{
    id: string;
    priority: Priority;
    first_response_minutes: number;
    resolution_minutes: number;
  }>(
    `SELECT id, priority, first_response_minutes, resolution_minutes FROM sla_policies WHERE ${general}`,
  );
  const byPriority = {} as Record<Priority, SlaPolicy>;
  for (const r of rows) {
    byPriority[r.priority] = {
      id: Number(r.id),
      firstResponseMinutes: r.first_response_minutes,
      resolutionMinutes: r.resolution_minutes,
    };
  }
  return byPriority;
}

interface StaffSeat {
  email: string;
  name: string;
  role: Role;
  team: TeamKey | null;
}

/**
 * Who works here: an admin, a lead and agents per team, and account managers. `scale`
 * multiplies the agents and account managers (the data generator staffs big worlds).
 */
function staffSeats(scale = 1): StaffSeat[] {
  const names = [...STAFF_NAMES];
  let extra = 0;
  const nextName = () => {
    const n = extra++;
    return `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]}`;
  };
  const seat = (email: string, role: Role, team: TeamKey | null): StaffSeat => ({
    email: `${email}@${EMAIL_DOMAIN}`,
    name: names.shift() ?? nextName(),
    role,
    team,
  });
  const seats: StaffSeat[] = [seat('admin', 'admin', null)];
  for (const t of TEAM_DEFS) seats.push(seat(`lead.${slug(t.key)}`, 'team_lead', t.key));
  let agent = 0;
  for (const t of TEAM_DEFS) {
    for (let i = 0; i < t.agents * scale; i++) {
      seats.push(seat(`agent${++agent}`, 'agent', t.key));
    }
  }
  for (let i = 1; i <= 3 * scale; i++) seats.push(seat(`am${i}`, 'account_manager', null));
  return seats;
}

export async function insertStaff(
  db: Db,
  passwordHash: string,
  since: number,
  scale = 1,
): Promise<Staff> {
  const teams = await db.query<{ id: string; name: string }>(
    `INSERT INTO teams (name, timezone, business_hours, created_at, updated_at)
     SELECT name, tz, hours, $4, $4 FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(name, tz, hours)
     RETURNING id, name`,
    [
      TEAM_DEFS.map((t) => t.name),
      TEAM_DEFS.map((t) => t.timezone),
      TEAM_DEFS.map((t) => (t.businessHours ? JSON.stringify(t.businessHours) : null)),
      iso(since),
    ],
  );
  const teamIds = {} as Record<TeamKey, number>;
  for (const t of TEAM_DEFS) teamIds[t.key] = Number(teams.rows.find((r) => r.name === t.name)!.id);

  const seats = staffSeats(scale);
  const users = await db.query<{ id: string; email: string }>(
    `INSERT INTO users (email, name, password_hash, role, team_id, created_at, updated_at)
     SELECT email, name, $5, role, team_id, $6, $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(email, name, role, team_id)
     RETURNING id, email`,
    [
      seats.map((s) => s.email),
      seats.map((s) => s.name),
      seats.map((s) => s.role),
      seats.map((s) => (s.team ? teamIds[s.team] : null)),
      passwordHash,
      iso(since),
    ],
  );
  const all: StaffMember[] = seats.map((s) => ({
    ...s,
    id: Number(users.rows.find((r) => r.email === s.email)!.id),
  }));
  const staff: Staff = {
    teamIds,
    leads: {} as Record<TeamKey, StaffMember>,
    agents: { tier1: [], billing: [], technical: [] },
    accountManagers: all.filter((u) => u.role === 'account_manager'),
    all,
  };
  for (const u of all) {
    if (u.role === 'team_lead') staff.leads[u.team!] = u;
    if (u.role === 'agent') staff.agents[u.team!].push(u);
  }
  await db.query(
    `UPDATE teams SET lead_id = u.lead_id FROM unnest($1::bigint[], $2::bigint[]) AS u(team_id, lead_id)
     WHERE teams.id = u.team_id`,
    [TEAM_DEFS.map((t) => teamIds[t.key]), TEAM_DEFS.map((t) => staff.leads[t.key].id)],
  );
  return staff;
}

export async function insertCustomers(db: Db, customers: Customer[]): Promise<void> {
  const firstCustomer = await reserveIds(db, 'customers', customers.length);
  customers.forEach((c, i) => (c.id = firstCustomer + i));
  const contacts = customers.flatMap((c) => c.contacts.map((contact) => ({ c, contact })));
  const firstContact = await reserveIds(db, 'contacts', contacts.length);
  contacts.forEach(({ contact }, i) => (contact.id = firstContact + i));

  await insertRows(
    db,
    'customers',
    [
      { name: 'id', type: 'bigint', value: (c: Customer) => c.id },
      { name: 'name', type: 'text', value: (c) => c.name },
      { name: 'domain', type: 'text', value: (c) => c.domain },
      { name: 'tier', type: 'text', value: (c) => c.tier },
      { name: 'mrr', type: 'numeric', value: (c) => c.mrr },
      { name: 'account_manager_id', type: 'bigint', value: (c) => c.accountManagerId },
      { name: 'status', type: 'text', value: (c) => c.status },
      { name: 'customer_since', type: 'timestamptz', value: (c) => iso(c.since) },
      { name: 'churned_at', type: 'timestamptz', value: (c) => isoOrNull(c.churnedAt) },
      { name: 'renewal_date', type: 'date', value: (c) => c.renewalDate },
      { name: 'custom_fields', type: 'jsonb', value: (c) => JSON.stringify(c.customFields) },
      { name: 'created_at', type: 'timestamptz', value: (c) => iso(c.since) },
      {
        name: 'updated_at',
        type: 'timestamptz',
        value: (c) => iso(Math.max(c.since, ...c.statusChanges.map((s) => s.at))),
      },
    ],
    customers,
  );
  await insertRows(
    db,
    'contacts',
    [
      { name: 'id', type: 'bigint', value: (r: { c: Customer; contact: Contact }) => r.contact.id },
      { name: 'customer_id', type: 'bigint', value: (r) => r.c.id },
      { name: 'name', type: 'text', value: (r) => `${r.contact.firstName} ${r.contact.lastName}` },
      { name: 'email', type: 'text', value: (r) => r.contact.email },
      { name: 'phone', type: 'text', value: (r) => r.contact.phone },
      { name: 'survey_opt_out', type: 'boolean', value: (r) => r.contact.surveyOptOut },
      { name: 'created_at', type: 'timestamptz', value: (r) => iso(r.c.since) },
      { name: 'updated_at', type: 'timestamptz', value: (r) => iso(r.c.since) },
    ],
    contacts,
  );
  const changes = customers.flatMap((c) => c.statusChanges.map((s) => ({ c, s })));
  await insertRows(
    db,
    'customer_status_changes',
    [
      {
        name: 'customer_id',
        type: 'bigint',
        value: (r: { c: Customer; s: StatusChange }) => r.c.id,
      },
      { name: 'from_status', type: 'text', value: (r) => r.s.from },
      { name: 'to_status', type: 'text', value: (r) => r.s.to },
      { name: 'reason', type: 'text', value: (r) => r.s.reason },
      { name: 'actor_id', type: 'bigint', value: (r) => r.s.actorId },
      { name: 'changed_at', type: 'timestamptz', value: (r) => iso(r.s.at) },
    ],
    changes,
  );
  // The oracle: each customer's true churn hazard, for risk:backtest only (never production code).
  await insertRows(
    db,
    'simulation_oracle',
    [
      { name: 'customer_id', type: 'bigint', value: (c: Customer) => c.id },
      { name: 'monthly_hazard', type: 'float8', value: (c) => c.hazard },
      { name: 'hazard_from', type: 'timestamptz', value: (c) => iso(c.hazardFrom) },
      { name: 'pain', type: 'float8', value: (c) => c.pain },
    ],
    customers,
  );
}

interface HistoryRow<T> {
  ticket: Ticket;
  item: T;
  /** Position over all tickets: the offset of the row's id. */
  n: number;
}

/** Every ticket's messages (or events), ticket by ticket and in time order within a ticket. */
function flattenHistory<T extends { at: number }>(
  tickets: Ticket[],
  items: (t: Ticket) => T[],
): HistoryRow<T>[] {
  const rows: HistoryRow<T>[] = [];
  for (const ticket of tickets) {
    const sorted = [...items(ticket)].sort((a, b) => a.at - b.at);
    for (const item of sorted) rows.push({ ticket, item, n: rows.length });
  }
  return rows;
}

export async function insertTickets(db: Db, world: World, tickets: Ticket[]): Promise<void> {
  const first = await reserveIds(db, 'tickets', tickets.length);
  tickets.forEach((t, i) => (t.id = first + i));
  const { staff, sla } = world;
  await insertRows(
    db,
    'tickets',
    [
      { name: 'id', type: 'bigint', value: (t: Ticket) => t.id },
      { name: 'customer_id', type: 'bigint', value: (t) => t.customer.id },
      { name: 'requester_id', type: 'bigint', value: (t) => t.requester.id },
      { name: 'subject', type: 'text', value: (t) => t.subject },
      { name: 'channel', type: 'text', value: (t) => t.channel },
      { name: 'priority', type: 'text', value: (t) => t.priority },
      { name: 'status', type: 'text', value: (t) => t.history.columns.status },
      { name: 'assignee_id', type: 'bigint', value: (t) => t.history.assigneeId },
      { name: 'team_id', type: 'bigint', value: (t) => staff.teamIds[t.team] },
      {
        name: 'tags',
        type: 'text',
        value: (t) => t.tags.join(','),
        expr: (ref) => `string_to_array(${ref}, ',')`,
      },
      {
        name: 'created_by_id',
        type: 'bigint',
        value: (t) => (t.channel === 'phone' ? (t.firstAssignee?.id ?? null) : null),
      },
      { name: 'created_at', type: 'timestamptz', value: (t) => iso(t.createdAt) },
      { name: 'updated_at', type: 'timestamptz', value: (t) => iso(t.history.columns.updatedAt) },
      {
        name: 'first_response_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.firstResponseAt),
      },
      {
        name: 'solved_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.solvedAt),
      },
      {
        name: 'closed_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.closedAt),
      },
      { name: 'reopen_count', type: 'int', value: (t) => t.history.columns.reopenCount },
      { name: 'solve_count', type: 'int', value: (t) => t.history.columns.solveCount },
      { name: 'sla_policy_id', type: 'bigint', value: (t) => sla[t.priority].id },
      {
        name: 'first_response_due_at',
        type: 'timestamptz',
        value: (t) => iso(t.history.columns.firstResponseDueAt),
      },
      {
        name: 'resolution_due_at',
        type: 'timestamptz',
        value: (t) => iso(t.history.columns.resolutionDueAt),
      },
      {
        name: 'first_response_breached',
        type: 'boolean',
        value: (t) => t.history.columns.firstResponseBreached,
      },
      {
        name: 'resolution_breached',
        type: 'boolean',
        value: (t) => t.history.columns.resolutionBreached,
      },
      {
        name: 'next_due_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.nextDueAt),
      },
      {
        name: 'last_message_at',
        type: 'timestamptz',
        value: (t) => isoOrNull(t.history.columns.lastMessageAt),
      },
      // Full-text search over the subject and every message, as the api keeps it.
      {
        name: 'doc',
        type: 'text',
        inputOnly: true,
        value: (t) => [t.subject, ...t.history.messages.map((m) => m.body)].join(' '),
      },
    ],
    tickets,
    { search: `to_tsvector('english', {doc})` },
  );

  // Messages and events in ticket order and, within a ticket, in time order, so ids follow time.
  const messages = flattenHistory(tickets, (t) => t.history.messages);
  const firstMessage = await reserveIds(db, 'ticket_messages', messages.length);
  await insertRows(
    db,
    'ticket_messages',
    [
      { name: 'id', type: 'bigint', value: (r: HistoryRow<TicketMessage>) => firstMessage + r.n },
      { name: 'ticket_id', type: 'bigint', value: (r) => r.ticket.id },
      { name: 'kind', type: 'text', value: (r) => r.item.kind },
      { name: 'author_user_id', type: 'bigint', value: (r) => r.item.authorUserId },
      { name: 'author_contact_id', type: 'bigint', value: (r) => r.item.authorContact?.id ?? null },
      { name: 'body', type: 'text', value: (r) => r.item.body },
      { name: 'sentiment', type: 'real', value: (r) => r.item.sentiment },
      { name: 'created_at', type: 'timestamptz', value: (r) => iso(r.item.at) },
    ],
    messages,
  );
  const events = flattenHistory(tickets, (t) => t.history.events);
  const firstEvent = await reserveIds(db, 'ticket_events', events.length);
  await insertRows(
    db,
    'ticket_events',
    [
      { name: 'id', type: 'bigint', value: (r: HistoryRow<TicketEvent>) => firstEvent + r.n },
      { name: 'ticket_id', type: 'bigint', value: (r) => r.ticket.id },
      { name: 'actor_id', type: 'bigint', value: (r) => r.item.actorId },
      { name: 'type', type: 'text', value: (r) => r.item.type },
      { name: 'from_value', type: 'text', value: (r) => r.item.from },
      { name: 'to_value', type: 'text', value: (r) => r.item.to },
      { name: 'created_at', type: 'timestamptz', value: (r) => iso(r.item.at) },
    ],
    events,
  );
}

export async function insertFollowUps(db: Db, followUps: FollowUp[]): Promise<void> {
  await insertRows(
    db,
    'follow_ups',
    [
      { name: 'customer_id', type: 'bigint', value: (f: FollowUp) => f.customer.id },
      { name: 'ticket_id', type: 'bigint', value: (f) => f.ticket?.id ?? null },
      { name: 'owner_id', type: 'bigint', value: (f) => f.ownerId },
      { name: 'kind', type: 'text', value: (f) => f.kind },
      { name: 'status', type: 'text', value: (f) => f.status },
      { name: 'due_at', type: 'timestamptz', value: (f) => iso(f.dueAt) },
      { name: 'note', type: 'text', value: (f) => f.note },
      { name: 'outcome', type: 'text', value: (f) => f.outcome },
      { name: 'created_by_id', type: 'bigint', value: (f) => f.createdById },
      { name: 'created_at', type: 'timestamptz', value: (f) => iso(f.createdAt) },
      { name: 'completed_at', type: 'timestamptz', value: (f) => isoOrNull(f.completedAt) },
      { name: 'reminded_at', type: 'timestamptz', value: (f) => isoOrNull(f.remindedAt) },
    ],
    followUps,
  );
}

// ---------------------------------------------------------------------------------------------
// The run

interface SeedResult {
  counts: Record<string, number>;
  churned: number;
  wonBack: number;
  openTickets: number;
  staff: Staff;
}

/** Builds the whole world in memory (no database access besides the staff ids it is given). */
export function simulateWorld(world: World) {
  const customers = generateCustomers(world, streamRng(world.options.seed, 'customers'));
  const picker = new CustomerPicker(customers);
  const tickets = generateTickets(world, picker);
  for (const t of tickets) t.customer.tickets.push(t);
  const moved = applyChurn(world, customers, picker);
  for (const t of moved) t.history = simulateTicket(t, world);
  const followUps = generateFollowUps(world, customers);
  const surveys = generateSurveys(world, customers);
  return { customers, tickets, followUps, surveys };
}

async function seed(db: Db, options: SeedOptions): Promise<SeedResult | 'skipped'> {
  // Serialises concurrent seeders and keeps writers out: everything written hangs off customers.
  await db.query('LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM customers');
  const existing = Number(rows[0].n);
  if (existing > 0 && !options.force) {
    console.log(
      `the database already has ${existing} customer(s); nothing seeded (rerun with --force to replace all support-desk data)`,
    );
    return 'skipped';
  }
  if (options.force) {
    await db.query(`TRUNCATE ${DOMAIN_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  } else {
    await refuseClashes(db);
  }

  const now = Date.now();
  const customersFrom = monthsBefore(now, Math.max(36, options.months + 1));
  const sla = await ensureSlaPolicies(db);
  const passwordHash = await bcrypt.hash(DEMO_PASSWORD, 10);
  const staff = await insertStaff(db, passwordHash, customersFrom);
  const world: World = {
    options,
    now,
    ticketsFrom: monthsBefore(now, options.months),
    customersFrom,
    staff,
    sla,
  };
  const { customers, tickets, followUps, surveys } = simulateWorld(world);

  await insertCustomers(db, customers);
  await insertTickets(db, world, tickets);
  await insertFollowUps(db, followUps);
  await insertSurveys(db, surveys);

  const churned = customers.filter((c) => c.status === 'churned').length;
  const wonBack = customers.filter((c) => c.statusChanges.length > 1).length;
  const counts = await countRows(db);
  await db.query(
    `INSERT INTO audit_log (action, entity, details) VALUES ('seed', 'database', $1)`,
    [
      JSON.stringify({
        ...counts,
        churned,
        wonBack,
        seed: options.seed,
        months: options.months,
        force: options.force,
      }),
    ],
  );
  counts.audit_log += 1;
  const openTickets = tickets.filter(
    (t) => !['solved', 'closed'].includes(t.history.columns.status),
  ).length;
  return { counts, churned, wonBack, openTickets, staff };
}

/** Demo users and teams have fixed names; if they exist without customers, say so plainly. */
async function refuseClashes(db: Db): Promise<void> {
  const emails = staffSeats().map((s) => s.email);
  const { rows } = await db.query<{ what: string }>(
    `SELECT email AS what FROM users WHERE lower(email) = ANY($1)
     UNION ALL SELECT name FROM teams WHERE lower(name) = ANY($2)`,
    [emails, TEAM_DEFS.map((t) => t.name.toLowerCase())],
  );
  if (rows.length > 0) {
    throw new UsageError(
      `the database has no customers but already has demo users or teams (${rows[0].what}, …); rerun with --force to replace them`,
    );
  }
}

export async function countRows(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ t: string; n: string }>(
    DOMAIN_TABLES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

function printSummary(result: SeedResult, options: SeedOptions, where: string, ms: number): void {
  const { counts, staff } = result;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `seeded ${where} in ${(ms / 1000).toFixed(1)} s (seed ${options.seed}, ${options.months} months${options.force ? ', --force' : ''})`,
    `  teams ${n(counts.teams)} · users ${n(counts.users)} · sla_policies ${n(counts.sla_policies)}`,
    `  customers ${n(counts.customers)} (${n(result.churned)} churned, ${n(result.wonBack)} won back) · contacts ${n(counts.contacts)} · customer_status_changes ${n(counts.customer_status_changes)}`,
    `  tickets ${n(counts.tickets)} (${n(result.openTickets)} not solved yet) · ticket_messages ${n(counts.ticket_messages)} · ticket_events ${n(counts.ticket_events)}`,
    `  surveys ${n(counts.surveys)} · follow_ups ${n(counts.follow_ups)} · audit_log ${n(counts.audit_log)}`,
    `demo logins (password for all: ${DEMO_PASSWORD}):`,
  ];
  const shown = staff.all.filter((u) => u.role !== 'agent' || u.email.startsWith('agent1@'));
  for (const u of shown) {
    const team = u.team ? ` (${TEAM_DEFS.find((t) => t.key === u.team)!.name})` : '';
    lines.push(`  ${u.role.padEnd(16)} ${u.email}${team}`);
  }
  const agents = staff.all.filter((u) => u.role === 'agent').length;
  lines.push(`  ${'agent'.padEnd(16)} agent1 … agent${agents}@${EMAIL_DOMAIN}`);
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const config = loadConfig(process.env);
  const where = describeDatabaseUrl(config.database.url);
  const { applied } = await prepareDatabase(config);
  if (applied.length > 0) console.log(`applied ${applied.length} migration(s) first`);

  const db = new Client({ connectionString: config.database.url, connectionTimeoutMillis: 5000 });
  await db.connect();
  try {
    await db.query('BEGIN');
    const result = await seed(db, options);
    if (result === 'skipped') {
      await db.query('ROLLBACK');
      return;
    }
    await db.query('COMMIT');
    printSummary(result, options, where, performance.now() - started);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }
}

if (require.main === module) main().catch(exit);

function exit(err: Error & { code?: string }): never {
  const known =
    err instanceof ConfigError || err instanceof DatabaseStartupError || err instanceof UsageError;
  const message = known
    ? err.message
    : typeof err.code === 'string'
      ? `${err.message.split('\n')[0]} (${err.code})` // PostgreSQL or network error: one line
      : err.stack;
  process.stderr.write(`seed:demo: ${message}\n`);
  process.exit(1);
}
