import { createHash } from 'node:crypto';
import type { Channel, Priority, TicketStatus } from '@staydesk/tickets';
import type { ActivityEffect } from './import-fields';

/** The typed rows an import reads and writes (RowReader makes them, the merge writes them). */

export type RowResult<T> = { value: T } | { reject: string } | { skip: string };

export interface CustomerRecord {
  externalId: string;
  name: string;
  domain: string | null;
  tier: string;
  mrr: number;
  /** False when the row had no MRR (lifetime value then says unknown, not 0). */
  mrrKnown?: boolean;
  status: 'active' | 'churned';
  customerSince: Date | null;
  churnedAt: Date | null;
  renewalDate: string | null;
  accountManagerId: string | null;
  customFields: Record<string, string>;
}

export interface EventRecord {
  line: number;
  caseId: string;
  effect: ActivityEffect;
  at: number;
  actor: string | null;
  customer: string;
  customerName: string | null;
  subject: string | null;
  channel: Channel | null;
  priority: Priority | null;
  requester: string | null;
  extra: Record<string, string> | null;
  /** The case's opening time from an `opened_at` column (logs that start late); null when none. */
  openedAt?: number | null;
}

export interface ImportedEvent {
  type: 'created' | 'status_changed' | 'first_response';
  from: string | null;
  to: string | null;
  at: Date;
  actorId: string | null;
}

/** One ticket as an import writes it (from a tickets row, or rebuilt from a case's events). */
export interface TicketImport {
  externalId: string;
  customer: string;
  customerName: string | null;
  requesterEmail: string | null;
  requesterName: string | null;
  subject: string;
  channel: Channel;
  priority: Priority;
  status: TicketStatus;
  createdAt: Date;
  firstResponseAt: Date | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  reopenCount: number;
  solveCount: number;
  assigneeId: string | null;
  tags: string[];
  customFields: Record<string, string>;
  satisfaction: number | null;
  events: ImportedEvent[];
  /** Digest of everything above: an unchanged ticket is skipped on a re-run. */
  hash: string;
  /** Input rows behind it (1 for a tickets row, the case's events for a log; ignored events not counted). */
  rows: number;
  /**
   * Event logs: the case's first event is a solve or a close and nothing (no earlier event, no
   * `opened_at`) says when it was opened, so it is created solved (a log that starts late).
   */
  startedSolved?: boolean;
}

/** Users an import can refer to, by lower-cased e-mail and name. */
export type UserDirectory = Map<string, string>;

export function withHash(t: Omit<TicketImport, 'hash'>): TicketImport {
  const { rows: _rows, startedSolved: _started, ...content } = t;
  void _rows;
  void _started;
  const hash = createHash('sha1').update(JSON.stringify(content)).digest('base64url');
  return { ...t, hash };
}
