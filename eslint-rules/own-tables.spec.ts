import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Linter, RuleTester } from 'eslint';
import { parser } from 'typescript-eslint';
import staydesk from './index.cjs';
import { ownTables } from './own-tables.cjs';
import { ownTablesExceptions } from './own-tables-exceptions.cjs';
import { TABLE_OWNERS } from './table-owners.cjs';

const root = join(__dirname, '..');
const at = (lib: string): string => `libs/${lib}/src/example.ts`;
const foreign = (lib: string, table: string, verb: string, owner: string) => ({
  messageId: 'foreign',
  data: { lib, table, verb, owner },
});

/** The tables (and views) of the generated row types: the keys of `interface DB`. */
function generatedTables(): string[] {
  const source = readFileSync(join(root, 'libs/core/src/database/db.generated.ts'), 'utf8');
  const body = /export interface DB \{([^}]*)\}/.exec(source);
  if (!body) throw new Error('no `interface DB` in db.generated.ts');
  return [...body[1].matchAll(/^\s*(\w+):/gm)].map((m) =>
    m[1].replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(),
  );
}

describe('table owners', () => {
  const owners: Record<string, string> = TABLE_OWNERS;

  it('names an owner for every table of db.generated.ts', () => {
    const tables = generatedTables();
    expect(tables.length).toBeGreaterThan(40);
    expect(tables.filter((t) => !(t in owners))).toEqual([]);
  });

  it('names only tables that exist, owned by libraries that exist', () => {
    const tables = new Set(generatedTables());
    const libs = new Set(readdirSync(join(root, 'libs')));
    expect(Object.keys(owners).filter((t) => !tables.has(t))).toEqual([]);
    expect([...new Set(Object.values(owners))].filter((lib) => !libs.has(lib))).toEqual([]);
  });
});

const tester = new RuleTester({ languageOptions: { parser } });

tester.run('own-tables', ownTables, {
  valid: [
    // The owner writes its own tables, in SQL and with the builder.
    { filename: at('tickets'), code: "tx.query('INSERT INTO tickets (subject) VALUES ($1)');" },
    { filename: at('followups'), code: "db(tx).insertInto('followUps').values(row).execute();" },
    { filename: at('kpis'), code: "tx.query('TRUNCATE kpi_cells, kpi_ticket_facts');" },
    // Reads, locks and upserts' DO UPDATE are not writes to another library's table.
    { filename: at('automations'), code: "tx.query('SELECT * FROM tickets WHERE id = $1');" },
    {
      filename: at('automations'),
      code: 'tx.query(`SELECT t.id FROM tickets t JOIN customers c ON c.id = t.customer_id\n FOR NO KEY UPDATE OF t SKIP LOCKED`);',
    },
    {
      filename: at('automations'),
      code: "tx.query('SELECT * FROM follow_ups FOR UPDATE');",
    },
    {
      filename: at('kpis'),
      code: "tx.query('INSERT INTO kpi_state (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET refreshed_at = now()');",
    },
    { filename: at('risk'), code: "tx.query('COPY tickets TO STDOUT');" },
    { filename: at('automations'), code: "db(tx).selectFrom('tickets').selectAll().execute();" },
    // Names that are no table: CTEs, staging and temporary tables, interpolated names.
    {
      filename: at('value'),
      code: 'tx.query(`WITH moved AS (SELECT id FROM customers) UPDATE tmp_ltv SET v = 1 FROM moved`);',
    },
    { filename: at('risk'), code: "tx.query('COPY risk_stage (customer_id, score) FROM STDIN');" },
    { filename: at('simulation'), code: 'tx.query(`INSERT INTO ${table} (id) VALUES ($1)`);' },
    { filename: at('simulation'), code: 'db.updateTable(table).set(values).execute();' },
    // Prose is not SQL: an UPDATE has its SET.
    { filename: at('automations'), code: "const description = 'Update tickets in bulk';" },
    { filename: at('automations'), code: "const note = 'Rules may update tickets, set tags';" },
    // Only libraries' files are checked.
    { filename: 'scripts/import.ts', code: "tx.query('INSERT INTO tickets (id) VALUES (1)');" },
  ],
  invalid: [
    {
      filename: at('automations'),
      code: "tx.query('UPDATE tickets SET priority = $2 WHERE id = $1');",
      errors: [foreign('automations', 'tickets', 'UPDATE', 'tickets')],
    },
    {
      // Case, whitespace, newlines, schema and quotes.
      filename: at('email'),
      code: 'tx.query(`\n  insert   into\n    public."ticket_events" (ticket_id) VALUES ($1)`);',
      errors: [foreign('email', 'ticket_events', 'INSERT', 'tickets')],
    },
    {
      filename: at('automations'),
      code: 'tx.query(`UPDATE ONLY customers AS c\n SET mrr = $2 WHERE c.id = $1`);',
      errors: [foreign('automations', 'customers', 'UPDATE', 'customers')],
    },
    {
      filename: at('privacy'),
      code: "tx.query('DELETE FROM ONLY follow_ups WHERE contact_id = $1');",
      errors: [foreign('privacy', 'follow_ups', 'DELETE', 'followups')],
    },
    {
      filename: at('import'),
      code: "tx.query('TRUNCATE TABLE kpi_cells, public.tickets RESTART IDENTITY');",
      errors: [
        foreign('import', 'kpi_cells', 'TRUNCATE', 'kpis'),
        foreign('import', 'tickets', 'TRUNCATE', 'tickets'),
      ],
    },
    {
      filename: at('simulation'),
      code: "copyToClient(db, 'COPY tickets (id, subject) FROM STDIN', lines);",
      errors: [foreign('simulation', 'tickets', 'COPY', 'tickets')],
    },
    {
      filename: at('email'),
      code: "tx.query('MERGE INTO contacts c USING incoming i ON i.email = c.email WHEN NOT MATCHED THEN INSERT (email) VALUES (i.email)');",
      errors: [foreign('email', 'contacts', 'MERGE', 'customers')],
    },
    {
      // A CTE that writes, then an INSERT: two writes in one statement.
      filename: at('automations'),
      code: 'tx.query(`WITH moved AS (UPDATE tickets SET team_id = $2 WHERE id = $1 RETURNING id)\n INSERT INTO ticket_events (ticket_id) SELECT id FROM moved`);',
      errors: [
        foreign('automations', 'tickets', 'UPDATE', 'tickets'),
        foreign('automations', 'ticket_events', 'INSERT', 'tickets'),
      ],
    },
    {
      // The library's own table passes, the other one does not.
      filename: at('tickets'),
      code: "tx.query('UPDATE tickets SET x = 1; UPDATE users SET y = 2');",
      errors: [foreign('tickets', 'users', 'UPDATE', 'identity')],
    },
    {
      // Kysely's sql template, with interpolations and an interpolated alias.
      filename: at('tickets'),
      code: 'await sql`UPDATE users ${alias} SET last_seen_at = ${now} WHERE id = ${id}`.execute(db(tx));',
      errors: [foreign('tickets', 'users', 'UPDATE', 'identity')],
    },
    {
      filename: at('surveys'),
      code: "await sql.raw('DELETE FROM contacts WHERE id = 1').execute(db(tx));",
      errors: [foreign('surveys', 'contacts', 'DELETE', 'customers')],
    },
    {
      // Escaped newlines in a plain string.
      filename: at('email'),
      code: "tx.query('INSERT INTO\\ncustomers (name) VALUES ($1)');",
      errors: [foreign('email', 'customers', 'INSERT', 'customers')],
    },
    // Kysely's builder: camelCase names, aliases, schemas, arrays.
    {
      filename: at('email'),
      code: "db(tx).insertInto('ticketEvents').values(row).execute();",
      errors: [foreign('email', 'ticket_events', 'insertInto', 'tickets')],
    },
    {
      filename: at('automations'),
      code: "db(tx).updateTable('customers as c').set({ mrr: '1' }).execute();",
      errors: [foreign('automations', 'customers', 'updateTable', 'customers')],
    },
    {
      filename: at('privacy'),
      code: "db(tx).deleteFrom(['followUps', 'tickets']).execute();",
      errors: [
        foreign('privacy', 'follow_ups', 'deleteFrom', 'followups'),
        foreign('privacy', 'tickets', 'deleteFrom', 'tickets'),
      ],
    },
    {
      filename: at('email'),
      code: 'db(tx).mergeInto(`public.contacts`).using(incoming, on).execute();',
      errors: [foreign('email', 'contacts', 'mergeInto', 'customers')],
    },
  ],
});

// The plugin is registered so that directives naming staydesk/own-tables resolve.
new RuleTester({ languageOptions: { parser }, plugins: { staydesk } }).run(
  'own-tables-exceptions',
  ownTablesExceptions,
  {
    valid: [
      "// eslint-disable-next-line staydesk/own-tables -- one statement with the ticket's insert\ntx.query('INSERT INTO audit_log (action) VALUES ($1)');",
      "tx.query('INSERT INTO audit_log (action) VALUES ($1)'); // eslint-disable-line staydesk/own-tables -- same statement",
      '// eslint-disable-next-line no-console\nconsole.log(1);',
      '/* eslint-disable no-console */',
    ],
    invalid: [
      {
        code: "// eslint-disable-next-line staydesk/own-tables\ntx.query('INSERT INTO audit_log (action) VALUES ($1)');",
        errors: [{ messageId: 'reason', line: 1 }],
      },
      {
        code: "// eslint-disable-next-line no-console, staydesk/own-tables --   \ntx.query('UPDATE users SET x = 1');",
        errors: [{ messageId: 'reason', line: 1 }],
      },
      {
        code: "const a = 1;\n/* eslint-disable staydesk/own-tables -- the whole file writes users */\ntx.query('UPDATE users SET x = 1');",
        errors: [{ messageId: 'wide', line: 2 }],
      },
      {
        // A directive naming no rules disables own-tables too.
        code: "// eslint-disable-next-line\ntx.query('UPDATE users SET x = 1');",
        errors: [{ messageId: 'reason', line: 1 }],
      },
    ],
  },
);

describe('the exception comment, with the plugin as eslint.config.mjs registers it', () => {
  const linter = new Linter({ configType: 'flat' });
  const config: Linter.Config[] = [
    {
      files: ['**/*.ts'],
      languageOptions: { parser },
      plugins: { staydesk },
      rules: { 'staydesk/own-tables': 'error', 'staydesk/own-tables-exceptions': 'error' },
    },
  ];
  const lint = (code: string) =>
    linter
      .verify(code, config, { filename: at('tickets') })
      .map((m) => `${m.line}:${m.ruleId}:${m.messageId ?? m.message}`);

  it('reports the write without an exception', () => {
    expect(lint("tx.query('UPDATE users SET x = 1');")).toEqual(['1:staydesk/own-tables:foreign']);
  });

  it('accepts one statement with a reason, on the line above where the literal starts', () => {
    expect(
      lint(
        'const x = 1;\n// eslint-disable-next-line staydesk/own-tables -- mirrors the session\ntx.query(`\n  UPDATE users SET x = 1`);',
      ),
    ).toEqual([]);
  });

  it('reports an exception without a reason, and still silences only its line', () => {
    expect(
      lint(
        "// eslint-disable-next-line staydesk/own-tables\ntx.query('UPDATE users SET x = 1');\ntx.query('UPDATE users SET x = 2');",
      ),
    ).toEqual(['1:staydesk/own-tables-exceptions:reason', '3:staydesk/own-tables:foreign']);
  });

  it('reports a file-wide exception', () => {
    expect(
      lint(
        "/* eslint-disable staydesk/own-tables -- this file writes users */\ntx.query('UPDATE users SET x = 1');",
      ),
    ).toEqual(['1:staydesk/own-tables-exceptions:wide']);
  });
});
