import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';
import { Pool } from 'pg';
import {
  createTestDatabase,
  databaseUrl,
  deleteRedisPrefix,
  dropTestDatabase,
} from '@staydesk/testing';
import { PASSWORD } from '../support/factories';
import {
  API_MAIN,
  RunningChild,
  WORKER_MAIN,
  listeningUrl,
  startProcess,
} from '../support/processes';
import { stackEnv, testRedisPrefix } from '../support/env';
import { gqlAt } from '../support/gql';
import { eventually } from '../support/eventually';
import { startSmtpSink } from '../support/smtp-sink';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP (JSON) trace receiver, as a collector would run it: POST /v1/traces. */
async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as any;
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value
            ?.stringValue as string;
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                attributes: Object.fromEntries(
                  (s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value ?? {})[0]]),
                ),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Value of one series in a Prometheus text exposition (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/**
 * The api and the worker as real processes (built dist/), with tracing on towards a receiver in
 * this test: a solved ticket's trace goes api → outbox → relay → BullMQ → survey e-mail, and both
 * processes' /metrics expose every family after that traffic.
 */
describe('operations: metrics and traces from the real processes', () => {
  let dbName: string;
  let db: Pool;
  let prefix: string;
  let api: RunningChild;
  let worker: RunningChild;
  let apiUrl: string;
  let workerMetricsUrl: string;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let token: string;

  const gql = (query: string, variables?: Record<string, unknown>, headers = {}) =>
    gqlAt(apiUrl, query, variables, { token, headers });
  const must = async (query: string, variables?: Record<string, unknown>, headers = {}) => {
    const res = await gql(query, variables, headers);
    if (res.errors?.length || !res.data) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };

  beforeAll(async () => {
    [otlp, sink, dbName] = await Promise.all([
      startOtlpReceiver(),
      startSmtpSink(),
      createTestDatabase(),
    ]);
    prefix = testRedisPrefix();
    db = new Pool({ connectionString: databaseUrl(dbName), max: 2 });
    db.on('error', () => undefined);
    const env = stackEnv(databaseUrl(dbName), prefix, {
      DATABASE_POOL_SIZE: '4',
      SMTP_URL: sink.url,
      CSAT_DELAY_SECONDS: '0',
      OUTBOX_POLL_MS: '300',
      WORKER_METRICS_PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    const started = await Promise.allSettled([
      startProcess(API_MAIN, env),
      startProcess(WORKER_MAIN, env),
    ]);
    if (started[0].status === 'fulfilled') api = started[0].value;
    if (started[1].status === 'fulfilled') worker = started[1].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    apiUrl = listeningUrl(api);
    workerMetricsUrl = /metrics (http:\/\/[0-9.:]+\/metrics)/.exec(worker.output())![1];
    const hash = await bcrypt.hash(PASSWORD, 4);
    await db.query(
      `INSERT INTO users (email, name, password_hash, role) VALUES ('admin@ops.test', 'Ada', $1, 'admin')`,
      [hash],
    );
    token = (
      await must(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        {
          e: 'admin@ops.test',
          p: PASSWORD,
        },
      )
    ).login.token;
  });

  afterAll(async () => {
    await Promise.all([api?.stop('SIGTERM'), worker?.stop('SIGTERM')]);
    await db?.end();
    if (dbName) await dropTestDatabase(dbName);
    if (prefix) await deleteRedisPrefix(prefix);
    await Promise.all([otlp?.close(), sink?.close()]);
  });

  it('one trace carries a solve from the api through the outbox and the queue to the survey e-mail', async () => {
    const team = (await must('mutation { createTeam(input: { name: "Ops" }) { id } }')).createTeam
      .id;
    const customer = (
      await must(
        'mutation { createCustomer(input: { name: "Initech", tier: pro, mrr: 500 }) { id } }',
      )
    ).createCustomer.id;
    const contact = (
      await must(
        'mutation($c: ID!) { createContact(customerId: $c, input: { name: "Peter", email: "peter@initech.example" }) { id } }',
        { c: customer },
      )
    ).createContact.id;
    const ticket = (
      await must('mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }', {
        i: {
          requesterId: contact,
          subject: 'TPS report cover sheet',
          channel: 'email',
          teamId: team,
          message: { body: 'Where is the memo?', kind: 'customer_message' },
        },
      })
    ).createTicket.id;
    await must(
      'mutation($id: ID!) { replyToTicket(id: $id, body: "Sent again") { ticket { id } } }',
      {
        id: ticket,
      },
    );
    const requestId = `solve-${randomBytes(6).toString('hex')}`;
    await must(
      'mutation Solve($id: ID!) { changeTicketStatus(id: $id, status: solved) { id } }',
      { id: ticket },
      { 'x-request-id': requestId },
    );
    // the public reply's mail and the survey's
    await sink.waitFor(2, 20_000);

    // the api's server span of the solve, tagged with the request id from the logs
    const root = await eventually('the solve request span', () =>
      otlp.spans.find(
        (s) => s.service === 'staydesk-api' && s.attributes['staydesk.request_id'] === requestId,
      ),
    );
    const trace = await eventually('the survey e-mail in the same trace', () => {
      const spans = otlp.spans.filter((s) => s.traceId === root.traceId);
      // the job's own span ends (and is exported) after the send inside it
      const worker = spans.filter((s) => s.service === 'staydesk-worker').map((s) => s.name);
      return worker.includes('smtp send') && worker.includes('process surveys') && spans;
    });
    const names = (service: string) =>
      new Set(trace.filter((s) => s.service === service).map((s) => s.name));
    const apiNames = [...names('staydesk-api')];
    const workerNames = [...names('staydesk-worker')];
    expect(apiNames.some((n) => /graphql|Solve/i.test(n))).toBe(true);
    expect(apiNames.some((n) => /^pg\.query/.test(n))).toBe(true);
    expect(workerNames).toEqual(
      expect.arrayContaining(['outbox relay ticket.solved', 'smtp send']),
    );
    // BullMQ's own producer and consumer spans link the relay to the job
    expect(workerNames).toEqual(
      expect.arrayContaining(['add surveys.surveys.send-csat', 'process surveys']),
    );
    // one tree: every span but the root has its parent in the same trace
    const ids = new Set(trace.map((s) => s.spanId));
    const orphans = trace.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId));
    expect(orphans.map((s) => s.name)).toEqual([]);
  });

  it('the api and worker /metrics expose every family after that traffic', async () => {
    // an error with a code, and a request to an unknown route
    const refused = await gql('query Me { me { id } }', undefined, {
      authorization: 'Bearer nope',
    });
    expect(refused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    await fetch(`${apiUrl}/exports/no-such-page`); // an api path no route takes (not a console page)

    const apiText = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(
      sample(
        apiText,
        'staydesk_graphql_operation_duration_seconds_count{operation_name="Solve",operation_type="mutation"}',
      ),
    ).toBe(1);
    expect(sample(apiText, 'staydesk_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(
      sample(
        apiText,
        'staydesk_http_request_duration_seconds_count{method="POST",route="/graphql",status_code="200"}',
      ),
    ).toBeGreaterThanOrEqual(7);
    expect(
      sample(
        apiText,
        'staydesk_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}',
      ),
    ).toBe(1);
    expect(sample(apiText, 'staydesk_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(sample(apiText, 'staydesk_db_pool_max_connections')).toBe(4);
    expect(sample(apiText, 'staydesk_db_query_duration_seconds_count')).toBeGreaterThan(10);
    expect(sample(apiText, 'staydesk_ready{dependency="database"}')).toBe(1);
    expect(sample(apiText, 'staydesk_ready{dependency="redis"}')).toBe(1);
    expect(sample(apiText, 'staydesk_inbound_mail_total{result="accepted"}')).toBe(0);
    expect(sample(apiText, 'staydesk_inbound_mail_total{result="deferred"}')).toBe(0);
    expect(sample(apiText, 'staydesk_graphql_subscriptions_open')).toBe(0);
    // what only the worker measures is not reported (as zeros) by the api
    expect(apiText).not.toContain('staydesk_outbox_lag_seconds');
    expect(apiText).not.toContain('staydesk_queue_jobs');
    expect(apiText).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(apiText).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(apiText).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram/m);

    const workerText = await (await fetch(workerMetricsUrl)).text();
    // every mail the SMTP server accepted was counted once
    expect(sample(workerText, 'staydesk_smtp_sends_total{result="sent"}')).toBe(sink.mails.length);
    expect(sample(workerText, 'staydesk_smtp_sends_total{result="failed"}')).toBe(0);
    expect(
      sample(
        workerText,
        'staydesk_job_duration_seconds_count{job_name="surveys.send-csat",result="completed"}',
      ),
    ).toBe(1);
    expect(
      sample(
        workerText,
        'staydesk_job_last_success_timestamp_seconds{job_name="surveys.send-csat"}',
      ),
    ).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(sample(workerText, 'staydesk_outbox_backlog')).toBe(0);
    expect(sample(workerText, 'staydesk_outbox_lag_seconds')).toBe(0);
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(sample(workerText, `staydesk_queue_jobs{queue="surveys",state="${state}"}`)).toEqual(
        expect.any(Number),
      );
    // the survey's reminder waits in the queue as a delayed job
    expect(
      sample(workerText, 'staydesk_queue_jobs{queue="surveys",state="delayed"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(workerText, 'staydesk_queue_jobs{queue="surveys",state="failed"}')).toBe(0);
    expect(sample(workerText, 'staydesk_db_query_duration_seconds_count')).toBeGreaterThan(0);
    expect(workerText).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });
});
