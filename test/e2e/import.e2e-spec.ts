import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fails, insertUser, login, ok } from '../support/factories';
import { ROOT, runToExit } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

const IMPORT = join(ROOT, 'dist', 'scripts', 'import.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'import');

/** Medians and reopens of one source's imported tickets, straight from the rows. */
const KPI_SQL = `
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at) / 60) AS "frtMinutes",
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600) AS "resolutionHours",
         sum(reopen_count)::int AS reopens,
         count(*) FILTER (WHERE reopen_count > 0)::int AS "reopenedTickets",
         count(*)::int AS tickets
    FROM tickets WHERE external_source = $1`;

/** The same medians from the rebuilt history: created event → first first_response / last solve event. */
const EVENT_KPI_SQL = `
  WITH per AS (
    SELECT t.id,
           min(e.created_at) FILTER (WHERE e.type = 'created') AS created,
           min(e.created_at) FILTER (WHERE e.type = 'first_response') AS fr,
           max(e.created_at) FILTER (WHERE e.type = 'status_changed' AND e.to_value = 'solved') AS solved,
           count(*) FILTER (WHERE e.type = 'status_changed' AND e.from_value IN ('solved', 'closed')
                              AND e.to_value NOT IN ('solved', 'closed')) AS reopens
      FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id
     WHERE t.external_source = $1 GROUP BY t.id)
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr - created) / 60) AS "frtMinutes",
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved - created) / 3600) AS "resolutionHours",
         sum(reopens)::int AS reopens
    FROM per`;

describe('history import (CLI and GraphQL)', () => {
  let stack: TestStack;
  let dir: string;
  let admin: string;
  let agent: string;
  const users: Record<string, string> = {};

  const cli = (args: string[], timeoutMs = 30_000) =>
    runToExit(IMPORT, stack.env, timeoutMs, [...args, '--json']);
  const summary = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await stack.db.query(sql, params)).rows[0].n);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'staydesk-import-'));
    stack = await startStack({ env: { RISK_DEBOUNCE_MS: '200', IMPORT_DIR: dir } });
    for (const f of ['customers.csv', 'tickets.csv', 'events.csv', 'events-mapping.yaml'])
      await copyFile(join(FIXTURES, f), join(dir, f));
    await insertUser(stack, { email: 'admin@staydesk.test', role: 'admin' });
    users.alice = await insertUser(stack, { email: 'alice@staydesk.test', role: 'agent' });
    users.bob = await insertUser(stack, {
      email: 'bob@staydesk.test',
      name: 'Bob Agent',
      role: 'agent',
    });
    users.am = await insertUser(stack, { email: 'am@staydesk.test', role: 'account_manager' });
    admin = await login(stack, 'admin@staydesk.test');
    agent = await login(stack, 'alice@staydesk.test');
  });

  afterAll(async () => {
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('imports customers, records churn as a status change, and rejects an unknown tier', async () => {
    const r = await cli(['customers', join(dir, 'customers.csv')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(summary(r.stdout)).toMatchObject({
      rowsRead: 4,
      created: 3,
      updated: 0,
      skipped: 0,
      rejected: 1,
      rejectsFile: join(dir, 'customers.rejects.csv'),
    });
    const rejects = await readFile(join(dir, 'customers.rejects.csv'), 'utf8');
    expect(rejects.split('\r\n')[1]).toBe(
      '4,"tier ""gold"" is not one of free, starter, pro, enterprise",hooli,Hooli,hooli.test,gold,100,active,,,,,',
    );
    const { rows } = await stack.db.query(
      `SELECT external_id, name, tier, mrr::float8 AS mrr, status, churned_at, renewal_date::text AS renewal,
              account_manager_id::text AS am, custom_fields FROM customers WHERE external_source = 'csv' ORDER BY external_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        external_id: 'acme',
        name: 'Acme Corporation',
        tier: 'enterprise',
        mrr: 12000.5,
        renewal: '2025-03-01',
        am: users.am,
        custom_fields: { Segment: 'Key account' },
      }),
      expect.objectContaining({ external_id: 'globex', status: 'churned' }),
      expect.objectContaining({ external_id: 'initech', custom_fields: { Segment: 'SMB' } }),
    ]);
    const changes = await stack.db.query(
      `SELECT s.from_status, s.to_status, s.changed_at FROM customer_status_changes s
         JOIN customers c ON c.id = s.customer_id WHERE c.external_id = 'globex'`,
    );
    expect(changes.rows).toEqual([
      {
        from_status: 'active',
        to_status: 'churned',
        changed_at: new Date('2024-01-31T00:00:00Z'),
      },
    ]);
  }, 30_000);

  it('imports tickets with their KPIs, rejects the messy rows one by one, sends no surveys, and rescores risk once', async () => {
    const r = await cli(['tickets', join(dir, 'tickets.csv')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = summary(r.stdout);
    expect(s).toMatchObject({ rowsRead: 10, created: 4, updated: 0, skipped: 0, rejected: 6 });
    expect(s.entities).toMatchObject({ ticketsCreated: 4, contactsCreated: 4 });
    const rejects = (await readFile(join(dir, 'tickets.rejects.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2).join(','));
    expect(rejects).toEqual([
      '6,negative duration: solved_at is before created_at',
      '7,negative duration: first_response_at is after solved_at',
      '8,"priority ""asap"" is not one of low',
      '9,"created_at ""yesterday"" is not a timestamp in the format ISO 8601"',
      '10,missing required value: subject',
      '11,"has 5 columns',
    ]);

    // By hand from tickets.csv: FRT T1 30, T2 120, T3 10, T4 60 min → median 45 min;
    // resolution T1 8 h, T2 24 h, T4 36 h → median 24 h; reopens T2 2 + T4 1.
    const kpi = (await stack.db.query(KPI_SQL, ['csv'])).rows[0];
    expect(kpi).toEqual({
      frtMinutes: 45,
      resolutionHours: 24,
      reopens: 3,
      reopenedTickets: 2,
      tickets: 4,
    });
    const fromEvents = (await stack.db.query(EVENT_KPI_SQL, ['csv'])).rows[0];
    expect(fromEvents).toMatchObject({ frtMinutes: 45, resolutionHours: 24 });

    // customers come from the customers import (never renamed by a ticket row)
    expect(await count(`SELECT count(*) AS n FROM customers WHERE external_source = 'csv'`)).toBe(
      3,
    );
    const t1 = (
      await stack.db.query(
        `SELECT t.assignee_id::text AS assignee, t.tags, t.custom_fields, c.name AS customer, ct.email
           FROM tickets t JOIN customers c ON c.id = t.customer_id JOIN contacts ct ON ct.id = t.requester_id
          WHERE t.external_id = 'T1'`,
      )
    ).rows[0];
    expect(t1).toEqual({
      assignee: users.alice,
      tags: ['login'],
      custom_fields: { Region: 'EU' },
      customer: 'Acme Corporation',
      email: 'ann@acme.test',
    });
    // ratings are answered CSAT surveys of the solve; nothing is sent for history
    const surveys = await stack.db.query(
      `SELECT t.external_id, s.score, s.solve_cycle FROM surveys s JOIN tickets t ON t.id = s.ticket_id ORDER BY 1`,
    );
    expect(surveys.rows).toEqual([
      { external_id: 'T1', score: 5, solve_cycle: 1 },
      { external_id: 'T2', score: 2, solve_cycle: 3 },
    ]);
    expect(await count(`SELECT count(*) AS n FROM outbox`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM follow_ups`)).toBe(0);
    // ... and the one full rescoring queued after the import reaches every active customer
    const deadline = Date.now() + 15_000;
    let scored = 0;
    while (Date.now() < deadline) {
      scored = await count(
        `SELECT count(*) AS n FROM risk_scores r JOIN customers c ON c.id = r.customer_id WHERE c.external_id IN ('acme', 'initech')`,
      );
      if (scored === 2) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(scored).toBe(2);
    // ... and the KPI rebuild queued with it gives every imported ticket its facts
    const imported = await count(`SELECT count(*) AS n FROM tickets WHERE external_source = 'csv'`);
    let withFacts = 0;
    while (Date.now() < deadline + 15_000) {
      withFacts = await count(
        `SELECT count(*) AS n FROM kpi_ticket_facts f JOIN tickets t ON t.id = f.ticket_id WHERE t.external_source = 'csv'`,
      );
      if (withFacts === imported) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(imported).toBeGreaterThan(0);
    expect(withFacts).toBe(imported);
  }, 45_000);

  it('rebuilds tickets and their history from an event log (mapping file, time format, zone)', async () => {
    const r = await cli([
      'events',
      join(dir, 'events.csv'),
      '--mapping',
      join(dir, 'events-mapping.yaml'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(summary(r.stdout)).toMatchObject({
      rowsRead: 23,
      created: 17,
      updated: 0,
      skipped: 1, // the ignored "Comment"
      rejected: 5,
      casesTotal: 4,
      casesDone: 4,
    });
    const rejects = (await readFile(join(dir, 'events.rejects.csv'), 'utf8')).trim().split('\n');
    expect(rejects.slice(1).map((l) => l.slice(0, l.indexOf(',')))).toEqual([
      '20',
      '21',
      '22',
      '23',
      '24',
    ]);
    expect(rejects[1]).toContain('unknown activity ""Escalated""');
    expect(rejects[2]).toContain('""2024-13-01 09:00"" is not a timestamp');
    expect(rejects[3]).toContain('missing required value: customer');
    expect(rejects[4]).toContain('channel ""Pigeon"" is not one of');
    expect(rejects[5]).toContain('unreadable CSV');

    // By hand from events.csv: FRT E1 90, E2 20, E3 240, E4 45 min → median 67.5 min;
    // resolution (last solve) E1 6 h, E2 56 h, E3 24 h → median 24 h; one reopen (E2).
    const kpi = (await stack.db.query(KPI_SQL, ['legacydesk'])).rows[0];
    expect(kpi).toEqual({
      frtMinutes: 67.5,
      resolutionHours: 24,
      reopens: 1,
      reopenedTickets: 1,
      tickets: 4,
    });
    expect((await stack.db.query(EVENT_KPI_SQL, ['legacydesk'])).rows[0]).toEqual({
      frtMinutes: 67.5,
      resolutionHours: 24,
      reopens: 1,
    });
    const { rows } = await stack.db.query(
      `SELECT external_id, status, channel, created_at, solved_at, closed_at, solve_count
         FROM tickets WHERE external_source = 'legacydesk' ORDER BY external_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ external_id: 'E1', status: 'solved', channel: 'email' }),
      expect.objectContaining({
        external_id: 'E2',
        status: 'solved',
        channel: 'phone',
        created_at: new Date('2024-01-09T07:00:00Z'), // 08:00 in Berlin (CET)
        solve_count: 2,
      }),
      expect.objectContaining({
        external_id: 'E3',
        status: 'closed',
        closed_at: new Date('2024-01-15T09:00:00Z'),
      }),
      expect.objectContaining({ external_id: 'E4', status: 'open', solved_at: null }),
    ]);
    // actors matched by e-mail and by name; the extra column is a custom field, via GraphQL
    const actors = await stack.db.query(
      `SELECT DISTINCT e.actor_id::text AS actor FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE t.external_id = 'E2' AND e.type = 'first_response'`,
    );
    expect(actors.rows).toEqual([{ actor: users.bob }]);
    const e3 = await stack.db.query(`SELECT id::text FROM tickets WHERE external_id = 'E3'`);
    const res = await ok(stack, admin, `query($id: ID!) { ticket(id: $id) { customFields } }`, {
      id: e3.rows[0].id,
    });
    expect(res.ticket.customFields).toEqual({ Product: 'Modem' });
  }, 30_000);

  it('stops on a wrong mapping before writing anything, naming the column and the header', async () => {
    const runs = await count(`SELECT count(*) AS n FROM import_runs`);
    const tickets = await count(`SELECT count(*) AS n FROM tickets`);
    const r = await cli([
      'events',
      join(dir, 'events.csv'),
      '--mapping',
      join(dir, 'events-mapping.yaml'),
      '--map',
      'timestamp=Complete Timestamp',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'import: column "Complete Timestamp" (mapped to timestamp) is not in the header; the header\'s columns are "Case", "Event", "When", "Agent", "Account", "Channel", "Product"',
    );
    expect(await count(`SELECT count(*) AS n FROM import_runs`)).toBe(runs);
    expect(await count(`SELECT count(*) AS n FROM tickets`)).toBe(tickets);
  }, 30_000);

  it('a dry run reports what would change and writes nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM tickets`);
    const r = await cli([
      'events',
      join(dir, 'events.csv'),
      '--mapping',
      join(dir, 'events-mapping.yaml'),
      '--source',
      'trial',
      '--dry-run',
    ]);
    expect(r.stderr).toBe('');
    expect(summary(r.stdout)).toMatchObject({
      dryRun: true,
      created: 17,
      skipped: 1,
      rejected: 5,
      entities: { ticketsCreated: 4, customersCreated: 2 },
    });
    expect(await count(`SELECT count(*) AS n FROM tickets`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM customers WHERE external_source = 'trial'`)).toBe(
      0,
    );
  }, 30_000);

  it('re-running updates what changed, skips the rest and duplicates nothing', async () => {
    const file = join(dir, 'tickets.csv');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('Login fails,email,high', 'Login fails,email,urgent'));
    const eventsBefore = await count(`SELECT count(*) AS n FROM ticket_events`);
    const r = await cli(['tickets', file]);
    expect(r.code).toBe(0);
    expect(summary(r.stdout)).toMatchObject({
      rowsRead: 10,
      created: 0,
      updated: 1,
      skipped: 3,
      rejected: 6,
      resumed: false,
    });
    expect(await count(`SELECT count(*) AS n FROM tickets WHERE external_source = 'csv'`)).toBe(4);
    expect(await count(`SELECT count(*) AS n FROM ticket_events`)).toBe(eventsBefore);
    const t1 = await stack.db.query(`SELECT priority FROM tickets WHERE external_id = 'T1'`);
    expect(t1.rows).toEqual([{ priority: 'urgent' }]);

    const again = await cli([
      'events',
      join(dir, 'events.csv'),
      '--mapping',
      join(dir, 'events-mapping.yaml'),
    ]);
    expect(summary(again.stdout)).toMatchObject({ created: 0, updated: 0, skipped: 18 });
    expect(await count(`SELECT count(*) AS n FROM ticket_events`)).toBe(eventsBefore);
  }, 30_000);

  it('resumes a killed import (while reading, then while merging) with no duplicates', async () => {
    const CASES = 20_000;
    const file = join(dir, 'big-events.csv');
    const out = createWriteStream(file);
    out.write('case_id,activity,timestamp,customer\n');
    for (let c = 0; c < CASES; c++) {
      const t = Date.UTC(2023, 0, 1) + c * 60_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      out.write(
        `B${c},created,${iso(t)},big-${c % 50}\nB${c},agent_reply,${iso(t + 600_000)},big-${c % 50}\n` +
          `B${c},solved,${iso(t + 3_600_000)},big-${c % 50}\nB${c},closed,${iso(t + 7_200_000)},big-${c % 50}\n`,
      );
    }
    out.end();
    await finished(out);
    const args = [IMPORT, 'events', file, '--source', 'bigdesk', '--json'];
    const progress = async () =>
      (
        await stack.db.query(
          `SELECT id::text, status, phase, lines_done, cases_done FROM import_runs WHERE source = 'bigdesk' ORDER BY id DESC LIMIT 1`,
        )
      ).rows[0];
    const killWhen = async (ready: (p: any) => boolean) => {
      const child = spawn(process.execPath, args, {
        env: { PATH: process.env.PATH ?? '', ...stack.env },
        stdio: 'ignore',
      });
      const exited = new Promise<string | null>((res) => child.once('exit', (_c, sig) => res(sig)));
      const deadline = Date.now() + 30_000;
      for (;;) {
        const p = await progress();
        if (p && ready(p)) break;
        if (Date.now() > deadline) throw new Error(`never reached: ${JSON.stringify(p)}`);
        await new Promise((res) => setTimeout(res, 20));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      return progress();
    };

    const k1 = await killWhen((p) => p.phase === 'reading' && p.lines_done >= 15_000);
    expect(k1).toMatchObject({ status: 'running', phase: 'reading' });
    const k2 = await killWhen((p) => p.phase === 'merging' && p.cases_done >= 3_000);
    expect(k2).toMatchObject({ id: k1.id, status: 'running', phase: 'merging' });
    expect(k2.cases_done).toBeLessThan(CASES);

    const r = await runToExit(IMPORT, stack.env, 60_000, args.slice(1));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(summary(r.stdout)).toMatchObject({
      runId: k1.id,
      resumed: true,
      rowsRead: CASES * 4,
      created: CASES * 4,
      updated: 0,
      skipped: 0,
      rejected: 0,
      casesDone: CASES,
    });
    expect(await count(`SELECT count(*) AS n FROM tickets WHERE external_source = 'bigdesk'`)).toBe(
      CASES,
    );
    expect(
      await count(
        `SELECT count(DISTINCT external_id) AS n FROM tickets WHERE external_source = 'bigdesk'`,
      ),
    ).toBe(CASES);
    // created, first_response, new→open, open→solved, solved→closed per case
    expect(
      await count(
        `SELECT count(*) AS n FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.external_source = 'bigdesk'`,
      ),
    ).toBe(CASES * 5);
    expect(await count(`SELECT count(*) AS n FROM import_event_rows`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM import_runs WHERE source = 'bigdesk'`)).toBe(1);
  }, 90_000);

  describe('GraphQL', () => {
    const START = `mutation($input: StartImportInput!) { startImport(input: $input) { id status kind } }`;
    const RUN = `query($id: ID!) { importRun(id: $id) { id status phase percent rowsRead created updated skipped rejected error rejects { line reason fields } } }`;

    it('admins queue an uploaded CSV as a job and follow its progress', async () => {
      const content = (await readFile(join(FIXTURES, 'customers.csv'), 'utf8')).replace(
        /^external_id,name/,
        'Account ID,Company',
      );
      const started = await ok(stack, admin, START, {
        input: {
          kind: 'customers',
          content,
          fileName: 'crm-export.csv',
          source: 'crm',
          mapping: { columns: { external_id: 'Account ID', name: 'Company' } },
        },
      });
      expect(started.startImport).toMatchObject({ status: 'queued', kind: 'customers' });
      const id = started.startImport.id;
      let run: any;
      const deadline = Date.now() + 15_000;
      do {
        await new Promise((res) => setTimeout(res, 100));
        run = (await ok(stack, admin, RUN, { id })).importRun;
      } while (run.status !== 'completed' && run.status !== 'failed' && Date.now() < deadline);
      expect(run).toMatchObject({
        status: 'completed',
        phase: 'done',
        percent: 100,
        rowsRead: 4,
        created: 3,
        rejected: 1,
        error: null,
        rejects: [expect.objectContaining({ line: 4, fields: expect.arrayContaining(['gold']) })],
      });
      expect(run.rejects[0].reason).toBe(
        'tier "gold" is not one of free, starter, pro, enterprise',
      );
      expect(await count(`SELECT count(*) AS n FROM customers WHERE external_source = 'crm'`)).toBe(
        3,
      );
    });

    it('checks the mapping before queueing, and only admins may import', async () => {
      const wrong = await fails(stack, admin, START, {
        input: {
          kind: 'events',
          path: join(dir, 'events.csv'),
          mapping: { columns: { case_id: 'Ticket' } },
        },
      });
      expect(wrong.extensions?.code).toBe('BAD_USER_INPUT');
      expect(wrong.message).toBe(
        'map: column "Ticket" (mapped to case_id) is not in the header; the header\'s columns are "Case", "Event", "When", "Agent", "Account", "Channel", "Product"',
      );
      const both = await fails(stack, admin, START, {
        input: { kind: 'events', path: join(dir, 'events.csv'), content: 'a,b\n' },
      });
      expect(both.extensions?.code).toBe('BAD_USER_INPUT');
      const denied = await fails(stack, agent, START, {
        input: { kind: 'customers', content: 'external_id,name\nx,X\n' },
      });
      expect(denied.extensions?.code).toBe('FORBIDDEN');
    });
  });
});
