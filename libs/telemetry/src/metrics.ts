import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type LabelValues,
  type Metric,
} from 'prom-client';
import { withSpan } from './trace-context';

/**
 * Every Prometheus metric family of Staydesk, in one registry per process (prom-client).
 * Families are created once at module load, so the api and the worker (or both in one test
 * process) share them; the code that knows a value either updates a family directly
 * (`Metrics.smtpSends.inc({ result: 'sent' })`) or registers a source that is read at scrape
 * time (`addMetricsSource('queues', …)`: queue depths, outbox lag, pool use, readiness).
 */
export const metricsRegistry = new Registry();

type SourceKind = 'pool' | 'outbox' | 'queues' | 'ready';
type Source = () => Promise<void> | void;
const sources: Record<SourceKind, Set<Source>> = {
  pool: new Set(),
  outbox: new Set(),
  queues: new Set(),
  ready: new Set(),
};

/** Runs every source of a kind; one that fails (say Redis is down) leaves its values unset. */
async function collectFrom(kind: SourceKind): Promise<void> {
  await Promise.all([...sources[kind]].map((read) => read()));
}

/**
 * Registers a value reader run at every scrape; returns its removal (for app shutdown). The
 * families a kind feeds are exposed only while the process has a source for them, so the api
 * shows no (zero) outbox or queue series that only the worker can measure.
 */
export function addMetricsSource(kind: SourceKind, read: Source): () => void {
  const safe: Source = async () => {
    try {
      await read();
    } catch {
      // a dependency that does not answer is a scrape with fewer series, not a failed scrape
    }
  };
  if (sources[kind].size === 0) {
    for (const metric of SOURCED[kind]()) metricsRegistry.registerMetric(metric);
  }
  sources[kind].add(safe);
  return () => {
    if (!sources[kind].delete(safe) || sources[kind].size > 0) return;
    for (const metric of SOURCED[kind]()) metricsRegistry.removeSingleMetric(nameOf(metric));
  };
}

const nameOf = (metric: Metric) => (metric as unknown as { name: string }).name;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800];

/**
 * A gauge fed by sources ({@link addMetricsSource}): in no registry until a source of its kind
 * is added. `collects`: the kind whose sources it runs at scrape time (one family per kind runs
 * them; they set that kind's other families in the same run, so those pass null).
 */
function sourcedGauge<T extends string>(
  collects: SourceKind | null,
  config: { name: string; help: string; labelNames?: readonly T[] },
): Gauge<T> {
  return new Gauge<T>({
    ...config,
    registers: [],
    ...(collects && {
      async collect() {
        await collectFrom(collects);
      },
    }),
  });
}

/** The families; label names are part of the dashboards and alerts in docker/. */
export const Metrics = {
  httpDuration: new Histogram({
    name: 'staydesk_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
  graphqlDuration: new Histogram({
    name: 'staydesk_graphql_operation_duration_seconds',
    help: 'GraphQL operations by operation name and type (query, mutation, subscription)',
    labelNames: ['operation_name', 'operation_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metricsRegistry],
  }),
  graphqlErrors: new Counter({
    name: 'staydesk_graphql_errors_total',
    help: 'GraphQL errors answered, by extensions.code',
    labelNames: ['code'] as const,
    registers: [metricsRegistry],
  }),
  dbPool: sourcedGauge('pool', {
    name: 'staydesk_db_pool_connections',
    help: 'PostgreSQL pool connections: total, idle, and clients waiting for one',
    labelNames: ['state'] as const,
  }),
  dbPoolMax: sourcedGauge(null, {
    name: 'staydesk_db_pool_max_connections',
    help: 'Configured PostgreSQL pool size (DATABASE_POOL_SIZE)',
  }),
  dbQueryDuration: new Histogram({
    name: 'staydesk_db_query_duration_seconds',
    help: 'PostgreSQL statements, time from sending to the result',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [metricsRegistry],
  }),
  outboxLag: sourcedGauge('outbox', {
    name: 'staydesk_outbox_lag_seconds',
    help: 'Age of the oldest unpublished outbox event (0 when none)',
  }),
  outboxBacklog: sourcedGauge(null, {
    name: 'staydesk_outbox_backlog',
    help: 'Unpublished outbox events',
  }),
  queueJobs: sourcedGauge('queues', {
    name: 'staydesk_queue_jobs',
    help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'] as const,
  }),
  jobDuration: new Histogram({
    name: 'staydesk_job_duration_seconds',
    help: 'Background jobs run by the worker, by job name and result (completed, failed)',
    labelNames: ['job_name', 'result'] as const,
    buckets: JOB_BUCKETS,
    registers: [metricsRegistry],
  }),
  jobLastSuccess: new Gauge({
    name: 'staydesk_job_last_success_timestamp_seconds',
    help: 'Unix time of the last successful run of each job name in this process',
    labelNames: ['job_name'] as const,
    registers: [metricsRegistry],
  }),
  smtpSends: new Counter({
    name: 'staydesk_smtp_sends_total',
    help: 'Outgoing e-mails by result (sent, failed)',
    labelNames: ['result'] as const,
    registers: [metricsRegistry],
  }),
  /** Inbound e-mail (SMTP receiver or IMAP): `Metrics.inboundMail.inc({ result: 'accepted' })`. */
  inboundMail: new Counter({
    name: 'staydesk_inbound_mail_total',
    help: 'Inbound e-mails by result (accepted = stored, deferred = answered 4xx / left for later)',
    labelNames: ['result'] as const,
    registers: [metricsRegistry],
  }),
  /** Open GraphQL subscriptions: `Metrics.subscriptions.inc()` / `.dec()`. */
  subscriptions: new Gauge({
    name: 'staydesk_graphql_subscriptions_open',
    help: 'GraphQL subscriptions currently open on this process',
    registers: [metricsRegistry],
  }),
  ready: sourcedGauge('ready', {
    name: 'staydesk_ready',
    help: 'Readiness per dependency as /health/ready sees it (1 up, 0 down)',
    labelNames: ['dependency'] as const,
  }),
};

/** The families each kind of source feeds (functions: `Metrics` is defined after `SOURCED`). */
const SOURCED: Record<SourceKind, () => Metric[]> = {
  pool: () => [Metrics.dbPool, Metrics.dbPoolMax],
  outbox: () => [Metrics.outboxLag, Metrics.outboxBacklog],
  queues: () => [Metrics.queueJobs],
  ready: () => [Metrics.ready],
};

/** Every Staydesk family name (whether this process exposes it or not). */
export function metricFamilyNames(): string[] {
  return Object.values(Metrics).map(nameOf);
}

// series that exist before the first event, so dashboards and rate() start from zero
for (const result of ['sent', 'failed']) Metrics.smtpSends.inc({ result }, 0);
for (const result of ['accepted', 'deferred']) Metrics.inboundMail.inc({ result }, 0);
Metrics.subscriptions.set(0);

let defaultsStarted = false;
/** Node runtime metrics (event-loop lag, heap, GC, handles, CPU): once per process. */
export function collectRuntimeMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Times a promise into a histogram with the result as a label. */
export async function timeJob<T>(jobName: string, work: () => Promise<T>): Promise<T> {
  const end = Metrics.jobDuration.startTimer({ job_name: jobName });
  try {
    const result = await work();
    end({ result: 'completed' });
    Metrics.jobLastSuccess.set({ job_name: jobName }, Date.now() / 1000);
    return result;
  } catch (err) {
    end({ result: 'failed' });
    throw err;
  }
}

/** Counts one outgoing e-mail by its outcome (and traces it as an `smtp send` span). */
export function countSmtpSend<T>(send: () => Promise<T>): Promise<T> {
  return withSpan('smtp send', { 'messaging.system': 'smtp' }, async () => {
    try {
      const result = await send();
      Metrics.smtpSends.inc({ result: 'sent' });
      return result;
    } catch (err) {
      Metrics.smtpSends.inc({ result: 'failed' });
      throw err;
    }
  });
}

export type MetricLabels<T extends string> = LabelValues<T>;
