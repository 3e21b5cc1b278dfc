import { windowJobId, windowOf } from '@staydesk/core';
import type { AppConfig, JobData, JobName, WindowJobName } from '@staydesk/core';
import type { DomainEvent, EventOf, EventType } from './events';

export interface RoutedJob<N extends JobName = JobName> {
  name: N;
  data: JobData<N>;
  delayMs?: number;
  /** Overrides the job id derived from the outbox id (used to debounce per customer). */
  jobId?: string;
  /**
   * A debounced job: no job with its id can start before this time (ms), whoever added it (its
   * window's end: the first add of the id is in the window and waits a whole window).
   */
  notBefore?: number;
  /**
   * A window job: the relay adds `member` to the window's set (JobWindows), then publishes the
   * job of the window the member went to (`index`, or a later one when that window's job has
   * already claimed its set); the job handles the window's members together.
   */
  window?: { member: string; index: number; ms: number };
}

type Route<T extends EventType> = (event: EventOf<T>, config: AppConfig) => RoutedJob[];

const job = <N extends JobName>(
  name: N,
  data: JobData<N>,
  delayMs?: number,
  jobId?: string,
  notBefore?: number,
): RoutedJob => ({ name, data, delayMs, jobId, notBefore }) as RoutedJob;

/**
 * Debounced rescoring: the customer joins its debounce window's set, and one job per window
 * rescores the window's customers together, after the window has closed, so every event of the
 * window is committed when it reads the features; 1,000 events of 300 customers in a burst cause
 * one or two set-based rescores of 300 customers, not 300 single ones.
 */
const rescore = (customerId: string, config: AppConfig, now = Date.now()): RoutedJob => {
  const ms = Math.max(1, config.risk.debounceMs);
  const { window, endsAt } = windowOf(now, ms);
  const name: WindowJobName = 'risk.rescore-window';
  return {
    ...job(name, { window }, config.risk.debounceMs, windowJobId(name, window), endsAt),
    window: { member: customerId, index: window, ms },
  };
};

/** KPI facts follow ticket and survey changes: one refresh per debounce window. */
const kpis = (config: AppConfig, now = Date.now()): RoutedJob => {
  const window = Math.max(1, config.kpi.debounceMs);
  return job(
    'kpi.refresh',
    {},
    config.kpi.debounceMs,
    `kpi-refresh-${Math.floor(now / window)}`,
    (Math.floor(now / window) + 1) * window,
  );
};

/**
 * Which background work each event causes. The compiler insists on an entry per event type.
 * Job ids are derived from the outbox id by the relay, so a second relay of the same row is a
 * no-op in Redis.
 */
export const ROUTES: { [T in EventType]: Route<T> } = {
  'ticket.created': (e, config) => [rescore(e.payload.customerId, config), kpis(config)],
  'ticket.solved': (e, config) => [
    kpis(config),
    job(
      'surveys.send-csat',
      { ticketId: e.payload.ticketId, solveCycle: e.payload.solveCycle },
      config.surveys.csatDelaySeconds * 1000,
    ),
    rescore(e.payload.customerId, config),
  ],
  'ticket.reopened': (e, config) => [rescore(e.payload.customerId, config), kpis(config)],
  'ticket.message_added': (e, config) => [
    rescore(e.payload.customerId, config),
    kpis(config),
    // the e-mail channel: public replies are mailed, customer replies tell the assignee
    ...(e.payload.kind === 'public_reply'
      ? [
          job(
            'mail.send-reply',
            { messageId: e.payload.messageId },
            undefined,
            `mail-reply-${e.payload.messageId}`,
          ),
        ]
      : e.payload.kind === 'customer_message'
        ? [
            job('mail.notify', {
              kind: 'customer_reply',
              ticketId: e.payload.ticketId,
              key: `reply-${e.payload.messageId}`,
            }),
          ]
        : []),
  ],
  'ticket.assigned': (e) =>
    e.payload.byUserId === e.payload.assigneeId
      ? []
      : [
          job('mail.notify', {
            kind: 'assigned',
            ticketId: e.payload.ticketId,
            userId: e.payload.assigneeId,
            key: `assigned-${e.payload.ticketId}-${e.payload.assigneeId}-${e.payload.at}`,
          }),
        ],
  'survey.answered': (e, config) => [rescore(e.payload.customerId, config), kpis(config)],
  'customer.status_changed': (e, config) => [rescore(e.payload.customerId, config)],
  // live updates only (the relay publishes every relayed row to Redis pub/sub after commit)
  'ticket.updated': () => [],
  'followup.due': () => [],
  'automation.mail_queued': (e) => [
    job(
      'automations.send-mail',
      { mailId: e.payload.mailId },
      undefined,
      `automation-mail-${e.payload.mailId}`,
    ),
  ],
  'user.password_reset_requested': (e) => [
    job(
      'mail.password-reset',
      { resetId: e.payload.resetId },
      undefined,
      `password-reset-${e.payload.resetId}`,
    ),
  ],
};

export function routeEvent(event: DomainEvent, config: AppConfig): RoutedJob[] {
  return (ROUTES[event.type] as Route<EventType>)(event as EventOf<EventType>, config);
}

/**
 * The jobs of a relay batch, row by row, each with its final id (its route's, else one derived
 * from the outbox id). A job id the batch already holds is left out: BullMQ makes adding an
 * existing id a no-op, so the first add is the only one that counts, and a burst of ticket
 * events (each routing the same KPI refresh) costs one Redis script per id instead of one per
 * event. A window job is kept once per member (its customer), for {@link windowAdds}.
 *
 * `recent` carries that across relay batches for the debounced jobs: an id (a window's member)
 * this process added is not added again until its `notBefore` (the end of its debounce window).
 * Until then no job with that id can have started, whoever added it, so the add would have been
 * BullMQ's no-op (the member would already be in the window's set). A burst of 3,000 solves by
 * 300 customers spread over 15 relay batches added each customer's rescore in every batch
 * (4,500 Redis scripts) before this. `debounced` marks the jobs the caller records in `recent`
 * (key {@link recentKey}) once their adds succeeded.
 */
export function routeBatch(
  rows: readonly { id: string; event: DomainEvent }[],
  config: AppConfig,
  recent?: ReadonlyMap<string, number>,
  now = Date.now(),
): (RoutedJob & { jobId: string; debounced: boolean })[][] {
  const seen = new Set<string>();
  return rows.map((row) =>
    routeEvent(row.event, config)
      .map((job) => ({
        ...job,
        jobId: job.jobId ?? `evt-${row.id}-${job.name.replace(/\./g, '-')}`,
        debounced: job.notBefore !== undefined && (job.delayMs ?? 0) > 0,
      }))
      .filter((job) => {
        const key = recentKey(job.name, job.jobId, job.window?.member);
        if (seen.has(key)) return false;
        seen.add(key);
        return !(job.debounced && (recent?.get(key) ?? 0) > now);
      }),
  );
}

/** The key of a debounced job (and member) in the relay's `recent` map. */
export function recentKey(name: string, jobId: string, member?: string): string {
  return member === undefined ? `${name} ${jobId}` : `${name} ${jobId} ${member}`;
}

/** The members a relay batch adds to each window: one Redis script per window, then its job. */
export interface WindowAdd {
  name: WindowJobName;
  index: number;
  ms: number;
  members: string[];
}

/** Groups a batch's window jobs by job and window, members in first-seen order, once each. */
export function windowAdds(jobs: readonly RoutedJob[]): WindowAdd[] {
  const adds = new Map<string, WindowAdd & { seen: Set<string> }>();
  for (const job of jobs) {
    if (!job.window) continue;
    const key = `${job.name} ${job.window.index}`;
    let add = adds.get(key);
    if (!add) {
      add = {
        name: job.name as WindowJobName,
        index: job.window.index,
        ms: job.window.ms,
        members: [],
        seen: new Set(),
      };
      adds.set(key, add);
    }
    if (add.seen.has(job.window.member)) continue;
    add.seen.add(job.window.member);
    add.members.push(job.window.member);
  }
  return [...adds.values()].map(({ seen: _seen, ...add }) => add);
}
