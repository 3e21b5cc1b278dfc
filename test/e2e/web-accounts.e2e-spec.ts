import type { Tx } from '@staydesk/core';
import { RiskService, backfillRiskHistory } from '@staydesk/risk';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../../scripts/browser';
import { fails, insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';
import { assertWebBuilt, expectNoSeriousA11yViolations, firstPage, signIn } from '../support/web';

/**
 * The account manager's workspace in Debian's Chromium against the real api, worker, PostgreSQL
 * and Redis: the risk list and the customer page (factors adding up to the score, evidence,
 * snooze and unsnooze, outreach, another manager's customer refused), axe on both pages, and the
 * demo's risk-history backfill. Needs the built bundle (`npm run build:web`).
 */
let stack: TestStack;
let browser: Browser;
let page: Page;
let admin: string;
const ids = { am1: '', am2: '', umbrella: '', quiet: '', other: '', breached: [] as string[] };
const AM1 = 'avery@accounts.test';

beforeAll(async () => {
  assertWebBuilt();
  stack = await startStack({ env: { CSAT_DELAY_SECONDS: '3600' } });
  await insertUser(stack, { email: 'admin@accounts.test', role: 'admin', name: 'Ada Admin' });
  admin = await login(stack, 'admin@accounts.test');
  ids.am1 = await insertUser(stack, { email: AM1, role: 'account_manager', name: 'Avery Stone' });
  ids.am2 = await insertUser(stack, {
    email: 'blake@accounts.test',
    role: 'account_manager',
    name: 'Blake Moss',
  });
  const customer = async (name: string, am: string, mrr: number) =>
    (
      await ok(
        stack,
        admin,
        `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id contacts { id } } }`,
        {
          i: {
            name,
            tier: 'enterprise',
            mrr,
            accountManagerId: am,
            customerSince: '2023-01-01T00:00:00Z',
            contacts: [{ name: `${name} contact`, email: `help@${name.split(' ')[0]}.example` }],
          },
        },
      )
    ).createCustomer as { id: string; contacts: { id: string }[] };
  const umbrella = await customer('Umbrella Corp', ids.am1, 12000);
  ids.umbrella = umbrella.id;
  ids.quiet = (await customer('Quiet Co', ids.am1, 300)).id;
  const other = await customer('Other Corp', ids.am2, 5000);
  ids.other = other.id;

  // Umbrella: three urgent tickets past their SLA and a 1-star CSAT; Other Corp: one bad ticket
  const ticket = async (contactId: string, subject: string) =>
    (
      await ok(
        stack,
        admin,
        `mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }`,
        {
          i: {
            requesterId: contactId,
            subject,
            channel: 'email',
            priority: 'urgent',
            message: { kind: 'customer_message', body: 'Broken again. This is unacceptable.' },
          },
        },
      )
    ).createTicket.id as string;
  for (const s of ['Export lost our data', 'Login loop', 'Invoices doubled'])
    ids.breached.push(await ticket(umbrella.contacts[0].id, s));
  await ticket(other.contacts[0].id, 'Slow dashboard');
  await stack.db.query(
    `UPDATE tickets SET first_response_due_at = created_at - interval '1 minute', first_response_breached = true,
            resolution_due_at = created_at, resolution_breached = true, status = 'solved', solved_at = now()
      WHERE id = ANY($1::bigint[])`,
    [ids.breached],
  );
  await stack.db.query(
    `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, expires_at, sent_at, responded_at, score)
     SELECT 'csat', id, 1, requester_id, customer_id, 's' || id, 'h' || id, now() + interval '1 day', now(), now(), 1
       FROM tickets WHERE id = $1`,
    [ids.breached[0]],
  );
  await stack.worker!.get(RiskService).rescoreAll();
  browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  page = await firstPage(browser);
  await signIn(page, `${stack.url}/`, AM1);
  await page.getByRole('heading', { level: 1, name: 'Risk list' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const list = () => page.getByRole('table', { name: 'Customers by churn risk' });
const rowLink = (name: string) => list().getByRole('link', { name, exact: true });

it('lists my accounts by risk; the top customer’s factors on screen add up to its score', async () => {
  await rowLink('Umbrella Corp').waitFor();
  const names = await list().getByRole('link').allTextContents();
  expect(names).toEqual(['Umbrella Corp', 'Quiet Co']); // mine only, riskiest first
  await expectNoSeriousA11yViolations(page, 'risk list');

  await rowLink('Umbrella Corp').click();
  const factors = page.getByRole('table', { name: 'Risk factors' });
  await factors.waitFor();
  const points = (
    await factors
      .locator('td[data-points]')
      .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-points'))))
  ).reduce((s, p) => s + p, 0);
  const shownScore = Number(await factors.locator('td[data-score]').getAttribute('data-score'));
  const api = await ok(stack, admin, `query($id: ID!) { customer(id: $id) { risk { score } } }`, {
    id: ids.umbrella,
  });
  expect(shownScore).toBeCloseTo(api.customer.risk.score, 2);
  expect(points).toBeCloseTo(shownScore, 1);
  // the rounded figures a person reads add up too (each shown to 0.1 point)
  const shown = (await factors.locator('tbody tr td:last-child').allTextContents()).map((t) =>
    Number(t.replace('−', '-').replace('+', '')),
  );
  const score = shown.pop()!;
  expect(shown.length).toBeGreaterThan(3);
  expect(Math.abs(shown.reduce((a, b) => a + b, 0) - score)).toBeLessThanOrEqual(
    0.05 * (shown.length + 1) + 1e-9,
  );
  await page.getByText(`${Math.round(api.customer.risk.score)} / 100`).waitFor();
  await expectNoSeriousA11yViolations(page, 'customer page');
});

it('a factor opens the tickets behind it', async () => {
  await page.goto(`${stack.url}/customers/${ids.umbrella}`);
  // "3 SLA breaches in 90 days" (or the breach-rate factor): the breached tickets behind it
  await page
    .getByRole('button', { name: /SLA.*: show the \d+ tickets behind it$/ })
    .first()
    .click();
  const evidence = page.getByRole('dialog').getByRole('list', { name: /Evidence for/ });
  await evidence.waitFor();
  const hrefs = await evidence
    .getByRole('link')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect([...new Set(hrefs)].sort()).toEqual(ids.breached.map((id) => `/tickets/${id}`).sort());
  await evidence.getByRole('link').first().click();
  await page.waitForURL(/\/tickets\/\d+$/);
  expect(ids.breached).toContain(page.url().split('/').pop());
});

it('snooze takes the customer off the list and unsnooze brings it back', async () => {
  await page.goto(`${stack.url}/risk`);
  await page.getByRole('button', { name: 'Actions for Umbrella Corp' }).click();
  await page.getByRole('menuitem', { name: 'Snooze…' }).click();
  const dialog = page.getByRole('dialog', { name: /Snooze Umbrella Corp/ });
  await dialog.getByLabel('Days').fill('7');
  // an empty reason is refused next to the field, and nothing is snoozed
  await dialog.getByRole('button', { name: 'Snooze for 7 days' }).click();
  await dialog.getByText('Must not be empty.').waitFor();
  await dialog.getByRole('textbox', { name: 'Reason' }).fill('Waiting for their budget round');
  await dialog.getByRole('button', { name: 'Snooze for 7 days' }).click();
  await dialog.waitFor({ state: 'detached' });
  await rowLink('Umbrella Corp').waitFor({ state: 'detached' });
  await rowLink('Quiet Co').waitFor();
  const { rows } = await stack.db.query(
    `SELECT reason FROM retention_snoozes WHERE customer_id = $1 AND until > now()`,
    [ids.umbrella],
  );
  expect(rows).toEqual([{ reason: 'Waiting for their budget round' }]);

  await page.getByText('Snoozed', { exact: true }).click();
  await rowLink('Umbrella Corp').waitFor();
  await page.getByRole('button', { name: 'Actions for Umbrella Corp' }).click();
  await page.getByRole('menuitem', { name: 'Unsnooze' }).click();
  await rowLink('Umbrella Corp').waitFor({ state: 'detached' });
  await page.getByText('On the list', { exact: true }).click();
  await rowLink('Umbrella Corp').waitFor();
});

it('logging an outreach opens the next follow-up', async () => {
  await page.goto(`${stack.url}/customers/${ids.umbrella}`);
  await page.getByRole('button', { name: 'Log outreach' }).click();
  const dialog = page.getByRole('dialog', { name: /Log outreach with Umbrella Corp/ });
  await dialog
    .getByRole('textbox', { name: 'What was said' })
    .fill('Called Alice: a fix ships Friday.');
  const due = await dialog.getByLabel('Next follow-up').inputValue();
  await dialog.getByRole('button', { name: 'Log outreach' }).click();
  await dialog.waitFor({ state: 'detached' });
  const { rows } = await stack.db.query(
    `SELECT owner_id::text AS owner, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS due
       FROM follow_ups WHERE customer_id = $1 AND kind = 'at_risk_outreach' AND status = 'open'`,
    [ids.umbrella],
  );
  expect(rows).toHaveLength(1);
  expect(rows[0].owner).toBe(ids.am1);
  expect(Math.abs(Date.parse(rows[0].due) - Date.parse(due))).toBeLessThanOrEqual(86_400_000);
  const followUps = page.getByRole('region', { name: 'Open follow-ups' });
  await followUps.getByText('At risk outreach').waitFor();
  const done = await stack.db.query(
    `SELECT outcome FROM follow_ups WHERE customer_id = $1 AND status = 'done'`,
    [ids.umbrella],
  );
  expect(done.rows.map((r) => r.outcome)).toContain('Called Alice: a fix ships Friday.');
});

it("another manager's customer cannot be changed: the page says why and the api refuses", async () => {
  await page.goto(`${stack.url}/customers/${ids.other}`);
  await page.getByRole('heading', { level: 1, name: 'Other Corp' }).waitFor();
  await page.getByRole('button', { name: 'Mark retained' }).click();
  const dialog = page.getByRole('dialog', { name: /Mark retained: Other Corp/ });
  await dialog.getByRole('textbox', { name: 'Note' }).fill('Renewed by phone');
  await dialog.getByRole('button', { name: 'Mark retained' }).click();
  await dialog
    .getByRole('alert')
    .getByText(/only they or an admin may change it\.$/)
    .waitFor();
  const token = await login(stack, AM1);
  const err = await fails(
    stack,
    token,
    `mutation($c: ID!) { snoozeCustomer(customerId: $c, days: 5, reason: "mine now") { until } }`,
    { c: ids.other },
  );
  expect(err.extensions?.code).toBe('FORBIDDEN');
  const { rows } = await stack.db.query(
    `SELECT (SELECT count(*)::int FROM retention_snoozes WHERE customer_id = $1) AS snoozes,
            (SELECT count(*)::int FROM follow_ups WHERE customer_id = $1 AND status = 'done') AS done`,
    [ids.other],
  );
  expect(rows[0]).toEqual({ snoozes: 0, done: 0 });
});

it('the demo backfill writes past scores under the live rule, once', async () => {
  await stack.db.query(`DELETE FROM risk_score_history`);
  const tx = {
    query: async (sql: string, params?: unknown[]) => (await stack.db.query(sql, params)).rows,
  } as Tx;
  const now = new Date();
  const first = await backfillRiskHistory(tx, { weeks: 4, stepDays: 14, now });
  expect(first).toMatchObject({ cutoffs: 2, scored: 6 }); // 3 customers active at each cut-off
  const { rows } = await stack.db.query(
    `SELECT customer_id::text AS c, count(*)::int AS n, max(computed_at) AS last
       FROM risk_score_history GROUP BY customer_id ORDER BY customer_id`,
  );
  expect(rows.map((r) => r.c)).toEqual([ids.umbrella, ids.quiet, ids.other]);
  for (const r of rows) {
    expect(r.n).toBeGreaterThanOrEqual(1); // the first score, then only band changes / 5+ moves
    expect(now.getTime() - new Date(r.last).getTime()).toBeGreaterThanOrEqual(
      14 * 86_400_000 - 1000,
    );
  }
  expect(first.points).toBe(rows.reduce((s, r) => s + r.n, 0));
  expect(await backfillRiskHistory(tx, { weeks: 4, now })).toMatchObject({ points: 0 });
});
