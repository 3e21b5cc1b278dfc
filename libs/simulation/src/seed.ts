import bcrypt from 'bcryptjs';
import { Client } from 'pg';
import { cliLine, describeDatabaseUrl, loadConfig, prepareDatabase } from '@staydesk/core';
import { TEAM_DEFS } from './catalog';
import { applyChurn } from './churn';
import { CustomerPicker, generateCustomers } from './customers';
import { USAGE, UsageError, parseArgs, type SeedOptions } from './flags';
import { generateFollowUps } from './follow-ups';
import {
  DEMO_PASSWORD,
  DOMAIN_TABLES,
  EMAIL_DOMAIN,
  monthsBefore,
  type Staff,
  type World,
} from './model';
import { streamRng } from './rng';
import { ensureSlaPolicies, insertStaff, staffSeats } from './staff';
import { generateSurveys, insertSurveys } from './surveys';
import { simulateTicket } from './ticket-life';
import { generateTickets } from './tickets';
import type { Db } from './rows';
import { insertCustomers, insertFollowUps, insertTickets } from './writer';
import { backfillDemoRiskHistory } from './risk-history';
import { recomputeDemoValues } from './values';

// ---------------------------------------------------------------------------------------------
// The run

export interface SeedResult {
  counts: Record<string, number>;
  churned: number;
  wonBack: number;
  openTickets: number;
  staff: Staff;
}

/** Builds the whole world in memory (no database access besides the staff ids it is given). */
export function simulateWorld(world: World) {
  const customers = generateCustomers(world, streamRng(world.options.seed, 'customers'));
  const picker = new CustomerPicker(customers);
  const tickets = generateTickets(world, picker);
  for (const t of tickets) t.customer.tickets.push(t);
  const moved = applyChurn(world, customers, picker);
  for (const t of moved) t.history = simulateTicket(t, world);
  const followUps = generateFollowUps(world, customers);
  const surveys = generateSurveys(world, customers);
  return { customers, tickets, followUps, surveys };
}

export async function seed(db: Db, options: SeedOptions): Promise<SeedResult | 'skipped'> {
  // Serialises concurrent seeders and keeps writers out: everything written hangs off customers.
  await db.query('LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM customers');
  const existing = Number(rows[0].n);
  if (existing > 0 && !options.force) {
    console.log(
      `the database already has ${existing} customer(s); nothing seeded (rerun with --force to replace all support-desk data)`,
    );
    return 'skipped';
  }
  if (options.force) {
    await db.query(`TRUNCATE ${DOMAIN_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  } else {
    await refuseClashes(db);
  }

  const now = Date.now();
  const customersFrom = monthsBefore(now, Math.max(36, options.months + 1));
  const sla = await ensureSlaPolicies(db);
  const passwordHash = await bcrypt.hash(DEMO_PASSWORD, 10);
  const staff = await insertStaff(db, passwordHash, customersFrom);
  const world: World = {
    options,
    now,
    ticketsFrom: monthsBefore(now, options.months),
    customersFrom,
    staff,
    sla,
  };
  const { customers, tickets, followUps, surveys } = simulateWorld(world);

  await insertCustomers(db, customers);
  await insertTickets(db, world, tickets);
  await insertFollowUps(db, followUps);
  await insertSurveys(db, surveys);

  const churned = customers.filter((c) => c.status === 'churned').length;
  const wonBack = customers.filter((c) => c.statusChanges.length > 1).length;
  const counts = await countRows(db);
  await db.query(
    // eslint-disable-next-line staydesk/own-tables -- the simulated world is generated, not served: the generator writes every table
    `INSERT INTO audit_log (action, entity, details) VALUES ('seed', 'database', $1)`,
    [
      JSON.stringify({
        ...counts,
        churned,
        wonBack,
        seed: options.seed,
        months: options.months,
        force: options.force,
      }),
    ],
  );
  counts.audit_log += 1;
  const openTickets = tickets.filter(
    (t) => !['solved', 'closed'].includes(t.history.columns.status),
  ).length;
  return { counts, churned, wonBack, openTickets, staff };
}

/** Demo users and teams have fixed names; if they exist without customers, say so plainly. */
export async function refuseClashes(db: Db): Promise<void> {
  const emails = staffSeats().map((s) => s.email);
  const { rows } = await db.query<{ what: string }>(
    `SELECT email AS what FROM users WHERE lower(email) = ANY($1)
     UNION ALL SELECT name FROM teams WHERE lower(name) = ANY($2)`,
    [emails, TEAM_DEFS.map((t) => t.name.toLowerCase())],
  );
  if (rows.length > 0) {
    throw new UsageError(
      `the database has no customers but already has demo users or teams (${rows[0].what}, …); rerun with --force to replace them`,
    );
  }
}

export async function countRows(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ t: string; n: string }>(
    DOMAIN_TABLES.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

export function printSummary(
  result: SeedResult,
  options: SeedOptions,
  where: string,
  ms: number,
): void {
  const { counts, staff } = result;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `seeded ${where} in ${(ms / 1000).toFixed(1)} s (seed ${options.seed}, ${options.months} months${options.force ? ', --force' : ''})`,
    `  teams ${n(counts.teams)} · users ${n(counts.users)} · sla_policies ${n(counts.sla_policies)}`,
    `  customers ${n(counts.customers)} (${n(result.churned)} churned, ${n(result.wonBack)} won back) · contacts ${n(counts.contacts)} · customer_status_changes ${n(counts.customer_status_changes)}`,
    `  tickets ${n(counts.tickets)} (${n(result.openTickets)} not solved yet) · ticket_messages ${n(counts.ticket_messages)} · ticket_events ${n(counts.ticket_events)}`,
    `  surveys ${n(counts.surveys)} · follow_ups ${n(counts.follow_ups)} · audit_log ${n(counts.audit_log)}`,
    `demo logins (password for all: ${DEMO_PASSWORD}):`,
  ];
  const shown = staff.all.filter((u) => u.role !== 'agent' || u.email.startsWith('agent1@'));
  for (const u of shown) {
    const team = u.team ? ` (${TEAM_DEFS.find((t) => t.key === u.team)!.name})` : '';
    lines.push(`  ${u.role.padEnd(16)} ${u.email}${team}`);
  }
  const agents = staff.all.filter((u) => u.role === 'agent').length;
  lines.push(`  ${'agent'.padEnd(16)} agent1 … agent${agents}@${EMAIL_DOMAIN}`);
  console.log(lines.join('\n'));
}

/**
 * `seed:demo` as a function: parses `argv` (the flags after the script name), seeds the database
 * of DATABASE_URL and prints the summary. scripts/seed-demo.ts calls it.
 */
export async function runSeedDemo(argv: string[]): Promise<void> {
  const started = performance.now();
  const options = parseArgs(argv);
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const config = loadConfig(process.env);
  const where = describeDatabaseUrl(config.database.url);
  const { applied } = await prepareDatabase(config);
  if (applied.length > 0) console.log(`applied ${applied.length} migration(s) first`);

  const db = new Client({ connectionString: config.database.url, connectionTimeoutMillis: 5000 });
  await db.connect();
  try {
    await db.query('BEGIN');
    const result = await seed(db, options);
    if (result === 'skipped') {
      await db.query('ROLLBACK');
      return;
    }
    const history = await backfillDemoRiskHistory(db);
    await recomputeDemoValues(db);
    await db.query('COMMIT');
    printSummary(result, options, where, performance.now() - started);
    console.log(
      `  risk history: ${history.points.toLocaleString('en-US')} points over ${history.cutoffs} fortnightly cut-offs in ${(history.ms / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }
}

/** The seeder's last word: one line on stderr and exit 1. */
export function exitSeedDemo(err: Error & { code?: string }): never {
  process.stderr.write(`seed:demo: ${cliLine(err, USAGE)}\n`);
  process.exit(1);
}
