import {
  type Channel,
  type Issue,
  type Priority,
  type Role,
  type Status,
  type TeamKey,
  type Tier,
  type Topic,
} from './catalog';
import { type SeedOptions } from './flags';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const EMAIL_DOMAIN = 'demo.staydesk.local';
export const DEMO_PASSWORD = 'staydesk-demo';
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

export interface StatusChange {
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
export type TicketSpec = Omit<Ticket, 'history'>;

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
export const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
export const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

export function monthsBefore(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.getTime();
}
