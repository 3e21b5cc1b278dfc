import { PRIORITIES } from '@staydesk/core';
import type { Channel, Priority, Tier } from '@staydesk/core';
import { HOUR, MINUTE } from './model';

export { PRIORITIES };
export type { Channel, Priority, Tier };

// ---------------------------------------------------------------------------------------------
// The vocabulary of the world

export type Status = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed';
export type Topic =
  'billing' | 'login' | 'bug' | 'feature-request' | 'outage' | 'onboarding' | 'integration';
export type Role = 'agent' | 'team_lead' | 'account_manager' | 'admin';
export type TeamKey = 'tier1' | 'billing' | 'technical';
export type Tone = 'angry' | 'neutral' | 'happy';

export const TIER_MIX: Record<Tier, number> = { free: 30, starter: 40, pro: 22, enterprise: 8 };
/** How many tickets a customer of the tier files, relative to a starter customer. */
export const TIER_TICKET_WEIGHT: Record<Tier, number> = {
  free: 0.5,
  starter: 1,
  pro: 2,
  enterprise: 4,
};
/** Churn pain a tier adds by itself: cheap plans are easy to leave. */
export const TIER_PAIN: Record<Tier, number> = { free: 0.15, starter: 0.05, pro: 0, enterprise: 0 };
export const CHANNEL_MIX: Record<Channel, number> = {
  email: 45,
  web: 20,
  chat: 20,
  phone: 10,
  social: 5,
};
export const PRIORITY_MIX: Record<Priority, number> = { low: 20, normal: 50, high: 22, urgent: 8 };
export const TOPIC_MIX: Record<Topic, number> = {
  billing: 20,
  login: 14,
  bug: 22,
  'feature-request': 9,
  outage: 6,
  onboarding: 12,
  integration: 17,
};
export const TOPIC_TEAM: Record<Topic, TeamKey> = {
  billing: 'billing',
  login: 'tier1',
  bug: 'technical',
  'feature-request': 'tier1',
  outage: 'technical',
  onboarding: 'tier1',
  integration: 'technical',
};
/** Chance that an agent's first reply already solves a ticket of the topic. */
export const SOLVE_BASE: Record<Topic, number> = {
  billing: 0.45,
  login: 0.45,
  bug: 0.25,
  'feature-request': 0.55,
  outage: 0.3,
  onboarding: 0.35,
  integration: 0.25,
};
/** Chance per agent reply that the ticket waits for engineering (on hold). */
export const HOLD_CHANCE: Record<Topic, number> = {
  billing: 0.03,
  login: 0.02,
  bug: 0.15,
  'feature-request': 0.12,
  outage: 0.05,
  onboarding: 0.02,
  integration: 0.13,
};
/** Median agent reply time after a customer message, by priority. */
export const AGENT_DELAY: Record<Priority, number> = {
  urgent: 20 * MINUTE,
  high: 1 * HOUR,
  normal: 3 * HOUR,
  low: 6 * HOUR,
};
/** Median customer answer time to a question, by priority (the more it hurts, the faster). */
export const CUSTOMER_DELAY: Record<Priority, number> = {
  urgent: 45 * MINUTE,
  high: 3 * HOUR,
  normal: 6 * HOUR,
  low: 10 * HOUR,
};

export const DEFAULT_SLA: Record<Priority, { firstResponse: number; resolution: number }> = {
  urgent: { firstResponse: 60, resolution: 8 * 60 },
  high: { firstResponse: 4 * 60, resolution: 24 * 60 },
  normal: { firstResponse: 8 * 60, resolution: 72 * 60 },
  low: { firstResponse: 24 * 60, resolution: 120 * 60 },
};

export const weekdayHours = (open: string, close: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [[open, close]]]));

export interface TeamDef {
  key: TeamKey;
  name: string;
  timezone: string;
  businessHours: Record<string, string[][]> | null;
  agents: number;
  /** Multiplies first-response times: a small team is slower. */
  pace: number;
}
export const TEAM_DEFS: readonly TeamDef[] = [
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
export const STAFF_NAMES = [
  'Alex Morgan', 'Jordan Blake', 'Sam Rivera', 'Casey Lin', 'Robin Keller', 'Taylor Brooks',
  'Morgan Hale', 'Jamie Ortiz', 'Avery Chen', 'Riley Novak', 'Quinn Adler', 'Drew Santos',
  'Harper Lund', 'Emery Walsh', 'Rowan Iqbal', 'Skyler Dunn', 'Parker Voss', 'Reese Tanaka',
  'Dakota Fenn',
];
// prettier-ignore
export const FIRST_NAMES = [
  'Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas',
  'Kenji', 'Lena', 'Marco', 'Nora', 'Omar', 'Paula', 'Quentin', 'Rosa', 'Sven', 'Tara',
  'Umar', 'Vera', 'Wei', 'Xenia', 'Yusuf', 'Zoe', 'Priya', 'Lukas', 'Mia', 'Noah',
  'Sofia', 'Arjun', 'Chloe', 'Mateo', 'Amara', 'Felix', 'Ingrid', 'Kofi', 'Leila', 'Raj',
];
// prettier-ignore
export const LAST_NAMES = [
  'Schmidt', 'Okafor', 'Garcia', 'Nguyen', 'Kowalski', 'Rossi', 'Silva', 'Tanaka', 'Johansson',
  'Dubois', 'Novak', 'Patel', 'Kim', 'Haddad', 'Fischer', 'Moreau', 'Lindqvist', 'Costa',
  'Brennan', 'Ivanova', 'Mendes', 'Larsen', 'Weber', 'Ahmed', 'Clarke', 'Romero', 'Yilmaz',
  'Becker', 'Sato', 'Olsen', 'Fernandes', 'Nowak', 'Bauer', 'Hughes', 'Khan', 'Jensen',
];
// prettier-ignore
export const COMPANY_PREFIXES = [
  'Acme', 'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Adatum', 'Proseware',
  'Woodgrove', 'Lucerne', 'Wingtip', 'Bluefin', 'Redwood', 'Silverline', 'Brightpath',
  'Clearwater', 'Ironbridge', 'Greenleaf', 'Summit', 'Harbor', 'Pinecrest', 'Cobalt', 'Keystone',
  'Lakeside', 'Meridian', 'Orbit', 'Quantum', 'Sterling', 'Vertex', 'Zephyr', 'Alder', 'Beacon',
  'Cascade', 'Driftwood', 'Evergreen', 'Foxglove', 'Granite', 'Hollis', 'Juniper', 'Kestrel',
];
// prettier-ignore
export const COMPANY_SUFFIXES = [
  'Logistics', 'Foods', 'Analytics', 'Labs', 'Health', 'Media', 'Travel', 'Retail', 'Energy',
  'Robotics', 'Finance', 'Studios', 'Apparel', 'Systems', 'Biotech', 'Consulting', 'Games',
  'Insurance', 'Motors', 'Hotels',
];
export const REGIONS = { EU: 40, NA: 35, APAC: 15, LATAM: 10 };
export const OBJECTS = ['orders', 'contacts', 'invoices', 'projects', 'shipments', 'products'];
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
];

/** What a ticket is about: its subject and what the customer writes first (neutral voice). */
export interface Issue {
  subject: string;
  detail: string;
}
export const ISSUES: Record<Topic, readonly Issue[]> = {
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
