import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { JobPublisher, loadConfig } from '@staydesk/core';
import { fails, insertUser, login, ok } from '../support/factories';
import { ROOT, runToExit } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

const IMPORT = join(ROOT, 'dist', 'scripts', 'import.js');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'import');
const FILES = [
  'incidents.csv',
  'incidents-mapping.yaml',
  'helpdesk-ignored.csv',
  'helpdesk-ignored-mapping.yaml',
  'span-batch-1.csv',
  'span-batch-2.csv',
];

/**
 * What importing real logs showed (issues #24 and #13): logs that start late, missing-value
 * markers, duplicated column names, the old id, ignored activities and the creation time,
 * customers spanning batches, and the import folder.
 */
describe('history import of real-world logs', () => {
  let stack: TestStack;
  let root: string;
  let dir: string; // IMPORT_DIR
  let outside: string;
  let admin: string;

  const cli = (args: string[], json = true) =>
    runToExit(IMPORT, stack.env, 30_000, json ? [...args, '--json'] : args);
  const summary = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
  const one = async (sql: string, params: unknown[] = []) =>
    (await stack.db.query(sql, params)).rows[0];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'staydesk-import-logs-'));
    dir = join(root, 'import');
    outside = join(root, 'elsewhere');
    await mkdir(dir);
    await mkdir(outside);
    for (const f of FILES) await copyFile(join(FIXTURES, f), join(dir, f));
    stack = await startStack({ env: { IMPORT_DIR: dir } });
    await insertUser(stack, { email: 'admin@staydesk.test', role: 'admin' });
    admin = await login(stack, 'admin@staydesk.test');
  });

  afterAll(async () => {
    await stack?.close();
    if (root) await rm(root, { recursive: true, force: true });
  }, 30_000);

  const incidents = () =>
    cli(['events', join(dir, 'incidents.csv'), '--mapping', join(dir, 'incidents-mapping.yaml')]);

  it('refuses a header with a duplicated column name, naming it, unless the mapping tells them apart', async () => {
    const noRename = (await readFile(join(dir, 'incidents-mapping.yaml'), 'utf8')).replace(
      /rename:\n.*\n/,
      '',
    );
    await writeFile(join(dir, 'no-rename.yaml'), noRename);
    const runs = Number((await one(`SELECT count(*) AS n FROM import_runs`)).n);
    const r = await cli([
      'events',
      join(dir, 'incidents.csv'),
      '--mapping',
      join(dir, 'no-rename.yaml'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'import: column "category" appears 2 times in the header (columns #6, #7); tell them apart in the mapping',
    );
    expect(Number((await one(`SELECT count(*) AS n FROM import_runs`)).n)).toBe(runs);

    // the same through GraphQL; mapping one of them by position and ignoring the other works
    const START = `mutation($input: StartImportInput!) { startImport(input: $input) { id } }`;
    const content =
      'id,category,category,customer,subject,created_at\nD1,Network,Router,acme,Hi,2024-01-01T00:00:00Z\n';
    const refused = await fails(stack, admin, START, { input: { kind: 'tickets', content } });
    expect(refused.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.message).toMatch(/^map: column "category" appears 2 times in the header/);
    const accepted = await ok(stack, admin, START, {
      input: { kind: 'tickets', content, mapping: { ignore: ['#2', '#3'] }, dryRun: true },
    });
    expect(accepted.startImport.id).toBeTruthy();

    // with the rename of the mapping file, both are kept, under their own names
    const done = await incidents();
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const inc1 = await one(
      `SELECT custom_fields FROM tickets WHERE external_source = 'servicenow' AND external_id = 'INC0001001'`,
    );
    expect(inc1.custom_fields).toEqual({
      category: 'Network',
      subcategory: 'Router',
      u_symptom: 'Slow',
    });
  }, 30_000);

  it('takes the creation time from opened_at and counts the cases that start solved or closed', async () => {
    const again = await incidents(); // imported by the test above: unchanged now
    const s = summary(again.stdout);
    expect(s).toMatchObject({ rowsRead: 11, created: 0, updated: 0, skipped: 10, rejected: 1 });
    expect(s.entities.casesStartedSolved).toBe(2);
    const { rows } = await stack.db.query(
      `SELECT external_id AS id, created_at, solved_at, status, priority FROM tickets
        WHERE external_source = 'servicenow' ORDER BY external_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        id: 'INC0001001',
        created_at: new Date('2024-03-01T08:00:00Z'),
        priority: 'normal',
      }),
      // first row "Resolved", opened a day earlier: 24 h to solve, not 0
      expect.objectContaining({
        id: 'INC0001002',
        created_at: new Date('2024-03-01T12:00:00Z'),
        solved_at: new Date('2024-03-02T12:00:00Z'),
        status: 'closed',
      }),
      // first row "Resolved", opened_at unknown ("?"): created solved (counted above)
      expect.objectContaining({
        id: 'INC0001003',
        created_at: new Date('2024-03-04T10:00:00Z'),
        solved_at: new Date('2024-03-04T10:00:00Z'),
      }),
      expect.objectContaining({ id: 'INC0001004', status: 'closed' }),
      expect.objectContaining({
        id: 'INC0027139',
        created_at: new Date('2024-03-08T09:30:00Z'),
        status: 'pending',
        priority: 'high',
      }),
    ]);
    const created = await one(
      `SELECT e.created_at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE t.external_id = 'INC0001002' AND e.type = 'created'`,
    );
    expect(created.created_at).toEqual(new Date('2024-03-01T12:00:00Z'));

    // the readable summary says it too, tickets first, rows "applied"
    const fresh = await cli(
      [
        'events',
        join(dir, 'incidents.csv'),
        '--mapping',
        join(dir, 'incidents-mapping.yaml'),
        '--source',
        'snow-dry',
        '--dry-run',
      ],
      false,
    );
    expect(fresh.code).toBe(0);
    const lines = fresh.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    expect(lines[0]).toBe('tickets        5 created, 0 updated, 0 unchanged  (would be)');
    expect(lines[1]).toBe('customers      3 created');
    expect(lines.slice(2, 4)).toEqual(['contacts       3 created', 'ticket events  15']);
    expect(lines.find((l) => l.startsWith('2 cases start solved or closed'))).toBeTruthy();
    expect(lines.slice(-4).map((l) => l.replace(/\s+/g, ' '))).toEqual([
      'rows read 11',
      'rows applied 10 (10 creating, 0 changing a record) (would be)',
      'rows skipped 0 (unchanged, or an ignored activity)',
      expect.stringMatching(/^rows rejected 1 → .*incidents\.rejects\.csv$/),
    ]);
  }, 30_000);

  it('reads the nullValues markers ("?") as missing values', async () => {
    // a "?" customer is a missing required value, not a customer named "?"
    const rejects = await readFile(join(dir, 'incidents.rejects.csv'), 'utf8');
    expect(rejects.split('\r\n')[1]).toMatch(/^10,missing required value: customer,INC0001005,/);
    expect(
      Number(
        (await one(`SELECT count(*) AS n FROM customers WHERE name = '?' OR external_id = '?'`)).n,
      ),
    ).toBe(0);
    // "?" is never kept as a custom field value; the last real value stays
    const { rows } = await stack.db.query(
      `SELECT external_id, custom_fields FROM tickets WHERE external_source = 'servicenow' ORDER BY external_id`,
    );
    expect(rows.map((r) => r.custom_fields.u_symptom ?? null)).toEqual([
      'Slow',
      null,
      'Noisy',
      null,
      null,
    ]);
    expect(JSON.stringify(rows)).not.toContain('"?"');
  });

  it('exposes the external id and finds the ticket by it in queue search', async () => {
    const QUEUE = `query($q: String!) { tickets(filter: { search: $q }) { edges { node { id subject externalIds { source id } } } } }`;
    for (const q of ['INC0027139', 'inc0027139', ' INC0027139 ']) {
      const res = await ok(stack, admin, QUEUE, { q });
      expect(res.tickets.edges.map((e: any) => e.node)).toEqual([
        {
          id: expect.any(String),
          subject: 'How do I reset my password',
          externalIds: [{ source: 'servicenow', id: 'INC0027139' }],
        },
      ]);
    }
    // the words of the subject still match; an id matches only as a whole
    const words = await ok(stack, admin, QUEUE, { q: 'screen flickers' });
    expect(words.tickets.edges.map((e: any) => e.node.externalIds[0].id)).toEqual(['INC0001004']);
    const part = await ok(stack, admin, QUEUE, { q: 'INC00271' });
    expect(part.tickets.edges).toEqual([]);
  });

  it('creates a ticket at its first event of any kind: ignored activities still carry time', async () => {
    const r = await cli([
      'events',
      join(dir, 'helpdesk-ignored.csv'),
      '--mapping',
      join(dir, 'helpdesk-ignored-mapping.yaml'),
    ]);
    expect(r.stderr).toBe('');
    expect(summary(r.stdout)).toMatchObject({
      rowsRead: 10,
      created: 4,
      skipped: 6, // the ignored rows (G3 has nothing else, so no ticket)
      rejected: 0,
      casesTotal: 3,
      casesDone: 3,
    });
    const { rows } = await stack.db.query(
      `SELECT t.external_id AS id, t.created_at, t.solved_at, c.external_id AS customer
         FROM tickets t JOIN customers c ON c.id = t.customer_id
        WHERE t.external_source = 'helpdesk' ORDER BY 1`,
    );
    // G1: 48 h from "Insert ticket" (ignored) to the solve; G2: 36 h. Before: 0 h both.
    // The case's customer is the one of its first event (G2's last row names another).
    expect(rows).toEqual([
      {
        id: 'G1',
        created_at: new Date('2024-02-01T09:00:00Z'),
        solved_at: new Date('2024-02-03T09:00:00Z'),
        customer: 'umbrella',
      },
      {
        id: 'G2',
        created_at: new Date('2024-02-05T09:00:00Z'),
        solved_at: new Date('2024-02-06T21:00:00Z'),
        customer: 'umbrella',
      },
    ]);
    expect(
      Number((await one(`SELECT count(*) AS n FROM customers WHERE external_id = 'stark'`)).n),
    ).toBe(0);
  });

  it('dates a customer from the earliest ticket imported for it, across runs and batches, and repairs old rows', async () => {
    const since = async (ext: string) =>
      (await one(`SELECT customer_since FROM customers WHERE external_id = $1`, [ext]))
        .customer_since;
    expect((await cli(['tickets', join(dir, 'span-batch-1.csv'), '--source', 'span'])).code).toBe(
      0,
    );
    expect(await since('spanco')).toEqual(new Date('2024-06-01T09:00:00Z'));
    const second = await cli(['tickets', join(dir, 'span-batch-2.csv'), '--source', 'span']);
    expect(summary(second.stdout).entities.customersSinceMovedBack).toBe(1);
    expect(await since('spanco')).toEqual(new Date('2023-01-15T09:00:00Z'));

    // a row dated wrong by an earlier version is repaired by the next run, even when unchanged
    await stack.db.query(
      `UPDATE customers SET customer_since = '2025-01-01' WHERE external_id = 'spanco'`,
    );
    const rerun = await cli(['tickets', join(dir, 'span-batch-1.csv'), '--source', 'span']);
    expect(summary(rerun.stdout)).toMatchObject({ created: 0, updated: 0, skipped: 2 });
    expect(await since('spanco')).toEqual(new Date('2023-01-15T09:00:00Z'));

    // a customers import with a later "customer since" does not date it after its tickets
    await writeFile(
      join(dir, 'span-customers.csv'),
      'external_id,name,customer_since\nspanco,Span Co,2024-01-01T00:00:00Z\n',
    );
    const crm = await cli(['customers', join(dir, 'span-customers.csv'), '--source', 'span']);
    expect(summary(crm.stdout)).toMatchObject({ updated: 1, rejected: 0 });
    expect(await since('spanco')).toEqual(new Date('2023-01-15T09:00:00Z'));
    expect((await one(`SELECT name FROM customers WHERE external_id = 'spanco'`)).name).toBe(
      'Span Co',
    );

    // one event log whose cases span two merge batches (2,000 cases each): the customer's
    // first case by id is its latest, its earliest case comes in the second batch
    const file = join(dir, 'batches.csv');
    const out = createWriteStream(file);
    out.write('case_id,activity,timestamp,customer\n');
    for (let c = 0; c < 2_001; c++) {
      const day = c === 2_000 ? '2022-05-01' : '2024-01-01';
      out.write(`B${String(c).padStart(5, '0')},created,${day}T10:00:00Z,batchco\n`);
    }
    out.end();
    await finished(out);
    const big = await cli(['events', file, '--source', 'batches']);
    expect(summary(big.stdout)).toMatchObject({ created: 2_001, casesDone: 2_001 });
    expect(await since('batchco')).toEqual(new Date('2022-05-01T10:00:00Z'));
  }, 60_000);

  it('keeps only mapped columns with --skip-unmapped', async () => {
    const r = await cli([
      'events',
      join(dir, 'incidents.csv'),
      '--mapping',
      join(dir, 'incidents-mapping.yaml'),
      '--source',
      'snow-lean',
      '--skip-unmapped',
    ]);
    expect(r.stderr).toBe('');
    expect(summary(r.stdout)).toMatchObject({ created: 10, rejected: 1 });
    const { rows } = await stack.db.query(
      `SELECT DISTINCT custom_fields FROM tickets WHERE external_source = 'snow-lean'`,
    );
    expect(rows).toEqual([{ custom_fields: {} }]);
  });

  it('guards the rejects file against formulas', async () => {
    const file = join(dir, 'formula.csv');
    await writeFile(
      file,
      'external_id,customer,subject,created_at\nF1,acme,"=HYPERLINK(""http://x.test"")",not a time\n',
    );
    const r = await cli(['tickets', file, '--source', 'formula']);
    expect(summary(r.stdout)).toMatchObject({ rejected: 1 });
    const text = await readFile(join(dir, 'formula.rejects.csv'), 'utf8');
    expect(text.split('\r\n')[1]).toBe(
      `2,"created_at ""not a time"" is not a timestamp in the format ISO 8601",F1,acme,"'=HYPERLINK(""http://x.test"")",not a time`,
    );
  });

  describe('the import folder', () => {
    const START = `mutation($input: StartImportInput!) { startImport(input: $input) { id status } }`;
    const SECRET = 'TOPSECRET-first-line,do-not-echo';

    it('reads files inside it, by relative or absolute path', async () => {
      for (const path of ['span-batch-1.csv', join(dir, 'span-batch-1.csv')]) {
        const res = await ok(stack, admin, START, {
          input: { kind: 'tickets', path, source: 'folder', dryRun: true },
        });
        expect(res.startImport.status).toBe('queued');
      }
    });

    it('refuses a link inside it to a file outside, and paths outside, echoing nothing of them', async () => {
      await writeFile(join(outside, 'secret.csv'), `${SECRET}\nx,y\n`);
      await symlink(join(outside, 'secret.csv'), join(dir, 'link.csv'));
      await symlink(outside, join(dir, 'linked-dir'));
      const runs = Number((await one(`SELECT count(*) AS n FROM import_runs`)).n);
      for (const path of [
        'link.csv',
        join(dir, 'link.csv'),
        join('linked-dir', 'secret.csv'),
        '../elsewhere/secret.csv',
        join(outside, 'secret.csv'),
        join(outside, 'missing.csv'),
        join(FIXTURES, 'events.csv'),
      ]) {
        const err = await fails(stack, admin, START, { input: { kind: 'customers', path } });
        expect(err.extensions?.code).toBe('BAD_USER_INPUT');
        expect(err.message).toBe(
          `path: must be a file inside the import folder ${dir} (IMPORT_DIR); links to files elsewhere are not followed`,
        );
        expect(JSON.stringify(err)).not.toContain('TOPSECRET');
      }
      expect(Number((await one(`SELECT count(*) AS n FROM import_runs`)).n)).toBe(runs);
    });

    it('the job checks the path again: a file replaced by a link since it was queued is not read', async () => {
      // queued while swap.csv was a plain file; it is a link to a file elsewhere by the time
      // the worker runs the job
      await symlink(join(outside, 'secret.csv'), join(dir, 'swap.csv'));
      const run = await one(
        `INSERT INTO import_runs (kind, source, file_name, fingerprint, options, status)
         VALUES ('customers', 'swap', $1, 'swap', $2, 'queued') RETURNING id::text`,
        [join(dir, 'swap.csv'), { kind: 'customers', path: join(dir, 'swap.csv') }],
      );
      await stack.api.get(JobPublisher).publish('imports.run', { runId: run.id });
      let row: any;
      const deadline = Date.now() + 20_000;
      do {
        await new Promise((res) => setTimeout(res, 100));
        row = await one(`SELECT status, error FROM import_runs WHERE id = $1`, [run.id]);
      } while (row.status !== 'failed' && Date.now() < deadline);
      expect(row).toEqual({
        status: 'failed',
        error: `path: must be a file inside the import folder ${dir} (IMPORT_DIR); links to files elsewhere are not followed`,
      });
      expect(
        Number((await one(`SELECT count(*) AS n FROM customers WHERE external_source = 'swap'`)).n),
      ).toBe(0);
    });

    it('defaults to var/import outside production, and to none in production', () => {
      const base = { DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: 'x'.repeat(32) };
      expect(loadConfig({ ...base, NODE_ENV: 'development' }).import.dir).toBe('var/import');
      expect(
        loadConfig({ ...base, NODE_ENV: 'development', IMPORT_DIR: '/srv/in' }).import.dir,
      ).toBe('/srv/in');
      expect(
        loadConfig({ ...base, NODE_ENV: 'production', SURVEY_TOKEN_SECRET: 'y'.repeat(32) }).import
          .dir,
      ).toBeUndefined();
    });
  });
});
