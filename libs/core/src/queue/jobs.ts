/**
 * Every background job the system knows, in one place: queue, name, payload, retry policy and
 * deterministic job id. Names are string literals (never class names) because jobs already in
 * Redis outlive a deploy.
 */
export const QUEUES = [
  'system',
  'tickets',
  'followups',
  'surveys',
  'risk',
  'imports',
  'kpis',
  'value',
  'mail',
  'automations',
] as const;
export type QueueName = (typeof QUEUES)[number];

export type JobContract =
  | { name: 'system.ping'; data: { requestedAt: string; note?: string } }
  | { name: 'system.heartbeat'; data: Record<string, never> }
  /** Marks first-response and resolution SLA breaches whose due time has passed (repeatable). */
  | { name: 'tickets.sla-scan'; data: Record<string, never> }
  /** Finds open follow-ups that fell due and fans out one reminder job each (repeatable). */
  | { name: 'followups.scan-due'; data: Record<string, never> }
  /** Reminds a follow-up's owner (log + e-mail) once. */
  | { name: 'followups.remind'; data: { followUpId: string } }
  /** After a solve (delayed): create and send the CSAT survey of that solve cycle, if still due. */
  | { name: 'surveys.send-csat'; data: { ticketId: string; solveCycle: number } }
  /** Send (or re-send after a crash) the e-mail of an existing survey. */
  | { name: 'surveys.deliver'; data: { surveyId: string } }
  /** The one reminder of an unanswered survey. */
  | { name: 'surveys.remind'; data: { surveyId: string } }
  /** The reminders of the surveys one send batch mailed (one delayed job instead of one each). */
  | { name: 'surveys.remind-many'; data: { surveyIds: string[] } }
  /** Relationship NPS: create surveys for contacts due one (repeatable). */
  | { name: 'surveys.nps-scan'; data: Record<string, never> }
  /** Rescore one customer's churn risk (debounced: one job per customer per debounce window). */
  | { name: 'risk.rescore'; data: { customerId: string } }
  /**
   * Rescore together the customers of one debounce window (the relay adds each event's customer
   * to the window's Redis set: libs/core/src/queue/job-windows.ts); one job per window.
   */
  | { name: 'risk.rescore-window'; data: { window: number } }
  /** Rescore every active customer (nightly). */
  | { name: 'risk.rescore-all'; data: Record<string, never> }
  /** Run (or resume) one queued history import (admin upload or server path). */
  | { name: 'imports.run'; data: { runId: string } }
  /** Bring KPI facts and cells up to date with what changed since the last run (debounced, repeatable). */
  | { name: 'kpi.refresh'; data: Record<string, never> }
  /** Rebuild every KPI fact and cell from scratch (after bulk loads). */
  | { name: 'kpi.rebuild'; data: Record<string, never> }
  /** Recompute lifetime values, value segments and expected value at risk (nightly, after the rescore). */
  | { name: 'value.recompute'; data: Record<string, never> }
  /** Close solved tickets that had no customer reply for AUTO_CLOSE_DAYS (repeatable). */
  | { name: 'tickets.auto-close'; data: Record<string, never> }
  /** Mail one public reply to the requester (and CCs); the message's mail row holds the state. */
  | { name: 'mail.send-reply'; data: { messageId: string } }
  /** File stored inbound mail: these first (inboundIds: a group stored together), then others waiting, in batches (idempotent per inbound row). */
  | { name: 'mail.process-inbound'; data: { inboundId: string; inboundIds?: string[] } }
  /** Import new mail of one IMAP mailbox (fanned out by the sweep; one at a time per mailbox). */
  | { name: 'mail.poll-imap'; data: { mailboxId: string } }
  /** Re-queue inbound mail stored but not processed (a lost job, Redis down at receive time). */
  | { name: 'mail.sweep'; data: Record<string, never> }
  /** One notification mail to an agent (assignment, customer reply, SLA warning), once per key. */
  | {
      name: 'mail.notify';
      data: {
        kind: 'assigned' | 'customer_reply' | 'sla_warning';
        ticketId: string;
        /** The agent to tell; omitted: the ticket's assignee when the job runs. */
        userId?: string;
        /** Once per key (e.g. `reply-<messageId>`). */
        key: string;
      };
    }
  /** Mail a password-reset link (the token is computed again from the row and the secret). */
  | { name: 'mail.password-reset'; data: { resetId: string } }
  /** Send one queued automatic e-mail (an automation rule's mail, a merge notice) once. */
  | { name: 'automations.send-mail'; data: { mailId: string } }
  /** Time-based automation rules: fire each rule once per ticket per condition period (repeatable). */
  | { name: 'automations.time-scan'; data: Record<string, never> };

export type JobName = JobContract['name'];
export type JobData<N extends JobName> = Extract<JobContract, { name: N }>['data'];

export interface JobConfig<N extends JobName> {
  queue: QueueName;
  attempts: number;
  backoffMs: number;
  /** Deterministic id so a second publish of the same work is a no-op; undefined = random. */
  jobId?: (data: JobData<N>) => string;
  /** Completed/failed jobs kept in Redis for inspection. */
  keep?: { completed: number; failed: number };
}

/** Completed/failed jobs kept for a job that runs often (schedules, nightly runs): a few. */
const KEEP_FEW = { completed: 10, failed: 50 };

/**
 * A scan, sweep or poll that runs again anyway: one attempt, no backoff (the next run is the
 * retry), a few runs kept for inspection.
 */
const SCAN = { attempts: 1, backoffMs: 0, keep: KEEP_FEW };

export const JOB_CONFIG = {
  'system.ping': { queue: 'system', attempts: 3, backoffMs: 500 },
  'system.heartbeat': { queue: 'system', ...SCAN },
  'tickets.sla-scan': { queue: 'tickets', ...SCAN },
  'followups.scan-due': { queue: 'followups', ...SCAN },
  'followups.remind': {
    queue: 'followups',
    attempts: 8,
    backoffMs: 5_000,
    jobId: (d) => `followup-remind-${d.followUpId}`,
  },
  'surveys.send-csat': {
    queue: 'surveys',
    attempts: 8,
    backoffMs: 10_000,
    jobId: (d) => `csat-${d.ticketId}-${d.solveCycle}`,
  },
  'surveys.deliver': {
    queue: 'surveys',
    attempts: 8,
    backoffMs: 10_000,
    jobId: (d) => `deliver-${d.surveyId}`,
  },
  'surveys.remind': {
    queue: 'surveys',
    attempts: 8,
    backoffMs: 10_000,
    jobId: (d) => `remind-${d.surveyId}`,
  },
  'surveys.remind-many': { queue: 'surveys', attempts: 8, backoffMs: 10_000 },
  'surveys.nps-scan': { queue: 'surveys', ...SCAN },
  // single customers: jobs left in Redis by an older deploy (the relay now routes windows)
  'risk.rescore': { queue: 'risk', attempts: 3, backoffMs: 2_000 },
  // a retry takes the window's members not yet done (JobWindows)
  'risk.rescore-window': {
    queue: 'risk',
    attempts: 5,
    backoffMs: 2_000,
    jobId: (d) => `risk-window-${d.window}`,
  },
  'risk.rescore-all': {
    queue: 'risk',
    attempts: 2,
    backoffMs: 60_000,
    keep: KEEP_FEW,
  },
  // a retry resumes the run from its last committed batch
  'imports.run': {
    queue: 'imports',
    attempts: 3,
    backoffMs: 30_000,
    jobId: (d) => `import-${d.runId}`,
    keep: { completed: 100, failed: 500 },
  },
  'kpi.refresh': {
    queue: 'kpis',
    attempts: 3,
    backoffMs: 5_000,
    keep: KEEP_FEW,
  },
  'kpi.rebuild': {
    queue: 'kpis',
    attempts: 2,
    backoffMs: 60_000,
    keep: KEEP_FEW,
  },
  'value.recompute': {
    queue: 'value',
    attempts: 2,
    backoffMs: 60_000,
    keep: KEEP_FEW,
  },
  'tickets.auto-close': { queue: 'tickets', ...SCAN },
  'mail.send-reply': {
    queue: 'mail',
    attempts: 8,
    backoffMs: 5_000,
    jobId: (d) => `mail-reply-${d.messageId}`,
  },
  'mail.process-inbound': {
    queue: 'mail',
    attempts: 5,
    backoffMs: 2_000,
    jobId: (d) => `mail-in-${d.inboundId}`,
  },
  'mail.poll-imap': { queue: 'mail', ...SCAN },
  'mail.sweep': { queue: 'mail', ...SCAN },
  'mail.notify': {
    queue: 'mail',
    attempts: 5,
    backoffMs: 10_000,
    jobId: (d) => `mail-notify-${d.key}`,
  },
  'mail.password-reset': {
    queue: 'mail',
    attempts: 5,
    backoffMs: 5_000,
    jobId: (d) => `password-reset-${d.resetId}`,
  },
  'automations.send-mail': {
    queue: 'automations',
    attempts: 5,
    backoffMs: 5_000,
    jobId: (d) => `automation-mail-${d.mailId}`,
  },
  'automations.time-scan': { queue: 'automations', ...SCAN },
} satisfies { [N in JobName]: JobConfig<N> };

/** The config of a job, typed for its payload. */
export function jobConfig<N extends JobName>(name: N): JobConfig<N> {
  return (JOB_CONFIG as { [K in JobName]: JobConfig<K> })[name];
}

/** Job names served by a queue, as a type: a processor's handler map must cover them all. */
export type JobNamesOf<Q extends QueueName> = {
  [N in JobName]: (typeof JOB_CONFIG)[N]['queue'] extends Q ? N : never;
}[JobName];

export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOB_CONFIG, name);
}

// Note: BullMQ 6 refuses custom job ids containing ':' (its key separator); use '-'.
