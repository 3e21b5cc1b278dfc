import { KpisService } from '@staydesk/kpis';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../../scripts/browser';
import {
  fails,
  insertAnsweredCsat,
  insertSlaTicket,
  insertUser,
  login,
  ok,
} from '../support/factories';
import { TestStack, startStack } from '../support/stack';
import {
  assertWebBuilt,
  expectNoSeriousA11yViolations,
  firstPage,
  signIn as signInAs,
} from '../support/web';

/*
 * Issue 17 in the browser: the team lead's KPI dashboard and drill-down, and the retention
 * summary, in Debian's Chromium against the real api, worker, PostgreSQL and Redis.
 * A hand-built week, Monday 1 – Sunday 7 December 2025 (UTC), team Billing (the lead's):
 *   T1 created 12-02 10:00, replied 10:30 (FRT 30 min, due 11:00 met), solved 12-03 10:00 (24 h, due 12-04 met), CSAT 5
 *   T2 created 12-02 12:00, replied 15:00 (3 h, due 13:00 breached), solved 12-04 12:00 (48 h, due 12-03 breached), CSAT 2
 *   T3 created 12-03 09:00, replied 09:15 (15 min, due 10:00 met), open
 *   T4 created 12-04 09:00, no reply (due 12-04 10:00 breached), open
 * and the week before: P1 created 11-25 10:00, replied 11:00 (1 h, met), solved 11-26 10:00 (24 h, met).
 * Team Support (not the lead's) has S1 in the same week.
 * By hand: FRT median 30 min, p90 2 h 30 min (percentile_cont of 0.25, 0.5, 3 h); resolution
 * median 1 d 12 h; SLA first response 2 of 4 = 50.0 %, resolution 1 of 2 = 50.0 %; CSAT 1 of 2
 * = 50.0 %; FRT median vs the week before: −30 min (better).
 * Retention, December 2025: Acme (since 2025-01) stays, Globex (since 2025-06) churns 12-15,
 * Initech arrives 12-10: 2 at start, 2 at end, 1 acquired, 1 churned, retention 50.0 %.
 */
let stack: TestStack;
let browser: Browser;
const ids: Record<string, string> = {};
const WEEK = { from: '2025-12-01T00:00:00.000Z', to: '2025-12-08T00:00:00.000Z' };
const WEEK_URL = '/kpis?period=custom&from=2025-12-01&to=2025-12-07';

async function ticket(t: {
  team: string;
  subject: string;
  created: string;
  replied?: string;
  frDue: string;
  solved?: string;
  resDue: string;
}) {
  return insertSlaTicket(stack, {
    customerId: ids.acme,
    requesterId: ids.contact,
    teamId: t.team,
    assigneeId: t.team === ids.billing ? ids.agent : null,
    ...t,
  });
}

async function csat(ticketId: string, score: number, at: string, ces: number | null = null) {
  await insertAnsweredCsat(stack, {
    ticketId,
    contactId: ids.contact,
    customerId: ids.acme,
    at,
    score,
    ces,
  });
}

async function customer(name: string, since: string, status = 'active', churnedAt?: string) {
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO customers (name, tier, mrr, customer_since, status, churned_at)
     VALUES ($1, 'pro', 100, $2, $3, $4) RETURNING id::text`,
    [name, since, status, churnedAt ?? null],
  );
  return rows[0].id;
}

beforeAll(async () => {
  assertWebBuilt();
  stack = await startStack({ env: { OUTBOX_RELAY: 'false' } });
  const team = async (name: string) =>
    (
      await stack.db.query<{ id: string }>(
        `INSERT INTO teams (name) VALUES ($1) RETURNING id::text`,
        [name],
      )
    ).rows[0].id;
  ids.billing = await team('Billing');
  ids.support = await team('Support');
  await insertUser(stack, { email: 'admin@leads.test', role: 'admin', name: 'Ada Admin' });
  ids.lead = await insertUser(stack, {
    email: 'lead@leads.test',
    role: 'team_lead',
    name: 'Lena Lead',
    teamId: ids.billing,
  });
  ids.agent = await insertUser(stack, {
    email: 'agent@leads.test',
    role: 'agent',
    name: 'Robin Keller',
    teamId: ids.billing,
  });
  await insertUser(stack, { email: 'am@leads.test', role: 'account_manager', name: 'Ari Manager' });
  ids.acme = await customer('Acme', '2025-01-01');
  await customer('Initech', '2025-12-10');
  ids.globex = await customer('Globex', '2025-06-01', 'churned', '2025-12-15T00:00:00Z');
  await stack.db.query(
    `INSERT INTO customer_status_changes (customer_id, from_status, to_status, changed_at) VALUES ($1, 'active', 'churned', '2025-12-15T00:00:00Z')`,
    [ids.globex],
  );
  ids.contact = (
    await stack.db.query<{ id: string }>(
      `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Ann', 'ann@acme.example') RETURNING id::text`,
      [ids.acme],
    )
  ).rows[0].id;
  const b = ids.billing;
  ids.t1 = await ticket({
    team: b,
    subject: 'Invoice in the wrong currency',
    created: '2025-12-02T10:00:00Z',
    replied: '2025-12-02T10:30:00Z',
    frDue: '2025-12-02T11:00:00Z',
    solved: '2025-12-03T10:00:00Z',
    resDue: '2025-12-04T10:00:00Z',
  });
  ids.t2 = await ticket({
    team: b,
    subject: 'Charged twice for November',
    created: '2025-12-02T12:00:00Z',
    replied: '2025-12-02T15:00:00Z',
    frDue: '2025-12-02T13:00:00Z',
    solved: '2025-12-04T12:00:00Z',
    resDue: '2025-12-03T12:00:00Z',
  });
  ids.t3 = await ticket({
    team: b,
    subject: 'VAT number missing',
    created: '2025-12-03T09:00:00Z',
    replied: '2025-12-03T09:15:00Z',
    frDue: '2025-12-03T10:00:00Z',
    resDue: '2099-01-01T00:00:00Z',
  });
  ids.t4 = await ticket({
    team: b,
    subject: 'Refund not received',
    created: '2025-12-04T09:00:00Z',
    frDue: '2025-12-04T10:00:00Z',
    resDue: '2099-01-01T00:00:00Z',
  });
  await ticket({
    team: b,
    subject: 'Old invoice question',
    created: '2025-11-25T10:00:00Z',
    replied: '2025-11-25T11:00:00Z',
    frDue: '2025-11-25T12:00:00Z',
    solved: '2025-11-26T10:00:00Z',
    resDue: '2025-11-27T10:00:00Z',
  });
  await ticket({
    team: ids.support,
    subject: 'Password reset loop',
    created: '2025-12-02T09:00:00Z',
    replied: '2025-12-02T09:05:00Z',
    frDue: '2025-12-02T10:00:00Z',
    solved: '2025-12-02T10:00:00Z',
    resDue: '2025-12-03T10:00:00Z',
  });
  await csat(ids.t1, 5, '2025-12-04T10:00:00Z', 6);
  await csat(ids.t2, 2, '2025-12-05T10:00:00Z');
  // relationship NPS answers (no ticket): Acme 9 for Billing in the week, 2 for Support
  for (const [team, score, period] of [
    [b, 9, '2025-12'],
    [ids.support, 2, '2025-12-s'],
  ] as const) {
    await stack.db.query(
      `INSERT INTO surveys (kind, contact_id, customer_id, team_id, period, token_salt, token_hash, sent_at, expires_at, responded_at, score)
       VALUES ('nps', $1, $2, $3, $4, 's', md5(random()::text), '2025-12-02T10:00:00Z', '2025-12-20T10:00:00Z', '2025-12-03T10:00:00Z', $5)`,
      [ids.contact, ids.acme, team, period, score],
    );
  }
  await stack.worker!.get(KpisService).rebuild();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Signs in and waits for the role's home page (a lead lands on /kpis). */
async function signIn(page: Page, email: string, home: string) {
  await page.context().clearCookies();
  await signInAs(page, `${stack.url}/sign-in`, email);
  await page.waitForURL(`${stack.url}${home}`);
}

/** The figure card of that label: its accessible name is "label: value, change…". */
const card = (page: Page, label: string) =>
  page.getByRole('button', {
    name: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
  });

const FIGURES = `query($f: KpiFilter!) { supportKpis(filter: $f) { rows {
  firstResponseTime { count medianHours p90Hours } resolutionTime { medianHours }
  slaFirstResponse { due met compliancePercent } slaResolution { due met compliancePercent }
  csatPercent csatRatings backlogAtEnd } } }`;

describe('team lead: KPI dashboard (issue 17)', () => {
  let page: Page;
  beforeAll(async () => {
    page = await firstPage(browser);
    await signIn(page, 'lead@leads.test', '/kpis');
    await page.getByRole('heading', { level: 1, name: 'Team KPIs' }).waitFor();
  });

  it('shows the hand-built week as the api and the hand count give it, with the change against the week before', async () => {
    const lead = await login(stack, 'lead@leads.test');
    const api = (await ok(stack, lead, FIGURES, { f: WEEK })).supportKpis.rows[0];
    // the api agrees with the hand count
    expect(api).toMatchObject({
      firstResponseTime: { count: 3, medianHours: 0.5, p90Hours: 2.5 },
      resolutionTime: { medianHours: 36 },
      slaFirstResponse: { due: 4, met: 2, compliancePercent: 50 },
      slaResolution: { due: 2, met: 1, compliancePercent: 50 },
      csatPercent: 50,
      csatRatings: 2,
    });
    await page.goto(`${stack.url}${WEEK_URL}`);
    await page.getByRole('heading', { level: 2, name: '1 Dec 2025 – 7 Dec 2025' }).waitFor();
    // the screen shows the same, in human units, with the signed change (30 min faster: better)
    await card(page, 'First response · median')
      .and(
        page.getByRole('button', {
          name: /: 30 min, 30 min shorter than the previous period \(better\)/,
        }),
      )
      .waitFor();
    await card(page, 'First response · p90')
      .and(page.getByRole('button', { name: /: 2 h 30 min,/ }))
      .waitFor();
    await card(page, 'Resolution · median')
      .and(page.getByRole('button', { name: /: 1 d 12 h,/ }))
      .waitFor();
    await card(page, 'SLA · first response')
      .and(page.getByRole('button', { name: /: 50\.0 %[,.]/ }))
      .waitFor();
    await card(page, 'SLA · resolution')
      .and(page.getByRole('button', { name: /: 50\.0 %[,.]/ }))
      .waitFor();
    await card(page, 'CSAT')
      .and(page.getByRole('button', { name: /: 50\.0 %[,.]/ }))
      .waitFor();
    await card(page, 'Backlog')
      .and(page.getByRole('button', { name: new RegExp(`: ${api.backlogAtEnd}[,.]`) }))
      .waitFor();
    await expect(card(page, 'SLA · first response').textContent()).resolves.toContain('2 of 4 met');
    await expectNoSeriousA11yViolations(page, 'kpi dashboard');
  });

  it('a figure opens as many tickets as it counts, and a row opens the ticket', async () => {
    await page.goto(`${stack.url}${WEEK_URL}`);
    await card(page, 'SLA · first response').click();
    const drawer = page.getByRole('dialog', { name: 'SLA · first response' });
    await drawer.getByText('2 tickets', { exact: true }).waitFor();
    const list = drawer.getByRole('table');
    await expect(list.getByRole('row').count()).resolves.toBe(1 + 2); // header + 4 due − 2 met
    await list.getByRole('link', { name: /Refund not received/ }).waitFor();
    await list.getByRole('link', { name: /Charged twice for November/ }).waitFor();
    // the other parts of the figure: met, and every target due
    await drawer.getByText('All due').click();
    await drawer.getByText('4 tickets', { exact: true }).waitFor();
    await expectNoSeriousA11yViolations(page, 'kpi drill-down');
    await drawer.getByText('Met').click();
    await drawer.getByText('2 tickets', { exact: true }).waitFor();
    await list.getByRole('link', { name: /Invoice in the wrong currency/ }).click();
    await page.waitForURL(`${stack.url}/tickets/${ids.t1}`);

    // a table cell drills too: the agent's CSAT ratings, with their scores
    await page.goto(`${stack.url}${WEEK_URL}&by=agent`);
    await page
      .getByRole('button', { name: 'Robin Keller, CSAT: 50.0 %. Open the list behind it' })
      .click();
    const cell = page.getByRole('dialog', { name: 'CSAT' });
    await cell.getByText('1 rating', { exact: true }).waitFor(); // ratings 1–3 first
    await cell.getByRole('cell', { name: '2 / 5' }).waitFor();
    await cell.getByRole('button', { name: 'Close the list' }).click();

    // CES opens to its effort answers (one, given with the 5/5 rating of T1)
    await page.goto(`${stack.url}${WEEK_URL}`);
    await card(page, 'CES')
      .and(page.getByRole('button', { name: /: 6\.0[,.]/ }))
      .click();
    const ces = page.getByRole('dialog', { name: 'CES' });
    await ces.getByText('1 answer', { exact: true }).waitFor();
    await ces.getByRole('cell', { name: '6 / 7' }).waitFor();
    await ces.getByRole('link', { name: /Invoice in the wrong currency/ }).waitFor();
  });

  it('NPS opens to its answers and their customers', async () => {
    // Billing's one promoter in the week (Support's detractor is not the lead's); detractors first
    await page.goto(`${stack.url}${WEEK_URL}`);
    await card(page, 'NPS')
      .and(page.getByRole('button', { name: /: 100\.0[,.]/ }))
      .click();
    const nps = page.getByRole('dialog', { name: 'NPS' });
    await nps.getByText('0 answers', { exact: true }).waitFor();
    await nps.getByText('Promoters').click();
    await nps.getByText('1 answer', { exact: true }).waitFor();
    await nps.getByRole('cell', { name: '9 / 10' }).waitFor();
    await nps.getByRole('link', { name: 'Acme' }).click();
    await page.waitForURL(`${stack.url}/customers/${ids.acme}`);
  });

  it('a lead sees only their own teams, on screen and at the api', async () => {
    await page.goto(`${stack.url}${WEEK_URL}&by=team`);
    const table = page.getByRole('table', { name: /^KPIs by team/ });
    await table.getByRole('rowheader', { name: 'Billing' }).waitFor();
    await expect(table.getByRole('rowheader').allTextContents()).resolves.toEqual(['Billing']);
    await page
      .getByRole('combobox', { name: 'Teams' })
      .or(page.getByRole('textbox', { name: 'Teams' }))
      .click();
    await page.getByRole('option', { name: 'Billing' }).waitFor();
    await expect(page.getByRole('option').allTextContents()).resolves.toEqual(['Billing']);
    await page.keyboard.press('Escape');
    // the export link carries the same filters
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe(
      `/exports/kpis.csv?from=${encodeURIComponent(WEEK.from)}&to=${encodeURIComponent(WEEK.to)}&groupBy=team`,
    );
    // …and downloads with the session cookie, names next to ids
    const csv = await page.request.get(`${stack.url}${href}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('Billing');
    const lead = await login(stack, 'lead@leads.test');
    const denied = await fails(stack, lead, FIGURES, { f: { ...WEEK, teamIds: [ids.support] } });
    expect(denied.extensions?.code).toBe('FORBIDDEN');
  });

  it('groups the table by a ticket custom field picked in "Group by"', async () => {
    await stack.db.query(
      `INSERT INTO custom_field_definitions (entity, key, label, type, options)
       VALUES ('ticket', 'plan', 'Plan', 'dropdown', '{gold,silver}')`,
    );
    await stack.db.query(
      `UPDATE tickets SET custom_fields = '{"plan": "gold"}' WHERE team_id = $1`,
      [ids.billing],
    );
    await page.goto(`${stack.url}${WEEK_URL}&by=team`);
    await page.getByRole('table', { name: /^KPIs by team/ }).waitFor();
    await page
      .getByRole('textbox', { name: 'Group by' })
      .or(page.getByRole('combobox', { name: 'Group by' }))
      .first()
      .click();
    await page.getByRole('option', { name: 'Plan' }).click();
    const table = page.getByRole('table', { name: /^KPIs by plan/ });
    await table.getByRole('rowheader', { name: 'gold' }).waitFor();
    expect(new URL(page.url()).searchParams.get('by')).toBe('custom.plan');
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toContain('groupBy=custom.plan');
    await stack.db.query(`UPDATE tickets SET custom_fields = '{}'`);
  });
});

describe('account manager: retention summary (issue 17)', () => {
  it('shows the period against the previous one and opens the customers behind a figure', async () => {
    const page = await browser.context.newPage();
    await signIn(page, 'am@leads.test', '/risk');
    await page.goto(`${stack.url}/retention?period=custom&from=2025-12-01&to=2025-12-31`);
    const am = await login(stack, 'am@leads.test');
    const api = (
      await ok(
        stack,
        am,
        'query($p: RetentionPeriod!) { retentionSummary(period: $p) { current { customersAtStart customersAtEnd acquired churned retentionRatePercent } } }',
        { p: { from: '2025-12-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
      )
    ).retentionSummary.current;
    expect(api).toEqual({
      customersAtStart: 2,
      customersAtEnd: 2,
      acquired: 1,
      churned: 1,
      retentionRatePercent: 50,
    });
    await card(page, 'Retention rate')
      .and(page.getByRole('button', { name: /: 50\.0 %[,.]/ }))
      .waitFor();
    await card(page, 'Customers at start')
      .and(page.getByRole('button', { name: /: 2[,.]/ }))
      .waitFor();
    await card(page, 'Acquired')
      .and(page.getByRole('button', { name: /: 1[,.]/ }))
      .waitFor();
    await expectNoSeriousA11yViolations(page, 'retention');
    await card(page, 'Churned').click();
    const drawer = page.getByRole('dialog', { name: 'Churned' });
    await drawer.getByText('1 customer', { exact: true }).waitFor();
    const link = drawer.getByRole('link', { name: 'Globex' });
    expect(await link.getAttribute('href')).toBe(`/customers/${ids.globex}`);
    await expectNoSeriousA11yViolations(page, 'retention drill-down');
    await page.close();
  });
});
