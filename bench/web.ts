import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchChromium } from '../scripts/browser';

/**
 * `npm run bench:web`: the web console in Chromium against a running api (STAYDESK_URL, default
 * http://localhost:3000, e.g. `npm start -- --demo` or a database from `npm run data:generate`):
 * - initial JavaScript for sign-in + the queue, gzipped (what index.html loads);
 * - navigation → the first 50 queue rows on screen (p50/p95 over RUNS loads of "My teams' open");
 * - opening a ticket with 50 messages (one is made on the first run if none exists);
 * - navigation → the team lead's KPI dashboard for this quarter on screen (every figure, the
 *   trend and the grouped table), as BENCH_LEAD_EMAIL (the demo's lead.tier1);
 * - navigation → the account manager's risk list, first page on screen (rows with their
 *   sparklines and factor bars), as BENCH_AM_EMAIL (the demo's am1);
 * - the drill-down's first page at the API (`supportKpiTickets`, 25 rows with their tickets) as
 *   the lead: six figures (the slowest, ordered by value, among them) over the last four calendar
 *   quarters, 24 lists a round, one client, RUNS ÷ 5 rounds (at least 2).
 * Signs in as BENCH_EMAIL / BENCH_PASSWORD (the demo's agent1 by default).
 * BENCH_WEB_ONLY=kpis,drill,risk,queue runs only those parts.
 */
const BASE = (process.env.STAYDESK_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const EMAIL = process.env.BENCH_EMAIL ?? 'agent1@demo.staydesk.local';
const PASSWORD = process.env.BENCH_PASSWORD ?? 'staydesk-demo';
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const LEAD_EMAIL = process.env.BENCH_LEAD_EMAIL ?? 'lead.tier1@demo.staydesk.local';
const AM_EMAIL = process.env.BENCH_AM_EMAIL ?? 'am1@demo.staydesk.local';
const ONLY = process.env.BENCH_WEB_ONLY?.split(',').map((s) => s.trim());
const runs = (part: string) => !ONLY || ONLY.includes(part);

/** The page's `document` (the functions below run in the browser; strings would need eval, which the CSP forbids). */
type Doc = { document: { querySelectorAll(s: string): { length: number } } };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function gql(page: Page, query: string, variables: Record<string, unknown> = {}) {
  return page.evaluate(
    async ([q, v]) => {
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: q, variables: v }),
      });
      return (await r.json()) as { data?: any; errors?: { message: string }[] };
    },
    [query, variables] as const,
  );
}

async function initialJsGzip(): Promise<number> {
  const html = await (await fetch(`${BASE}/`)).text();
  const urls = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let total = 0;
  for (const u of new Set(urls)) {
    total += gzipSync(Buffer.from(await (await fetch(`${BASE}${u}`)).arrayBuffer()), {
      level: 9,
    }).length;
  }
  return total;
}

async function ticketWith50Messages(page: Page): Promise<string> {
  // the first of my open tickets, topped up to 50 messages with internal notes if needed
  const list = await gql(
    page,
    '{ tickets(filter: { mine: true, status: [new, open, on_hold] }, first: 1) { edges { node { id } } } }',
  );
  if (list.errors) throw new Error(list.errors[0].message);
  const id = list.data.tickets.edges[0].node.id as string;
  const t = await gql(
    page,
    'query($id: ID!) { ticket(id: $id) { messages(first: 60) { edges { node { id } } } } }',
    { id },
  );
  if (t.errors) throw new Error(t.errors[0].message);
  for (let i = t.data.ticket.messages.edges.length; i < 50; i++) {
    const r = await gql(
      page,
      'mutation($id: ID!, $b: String!) { addInternalNote(id: $id, body: $b) { message { id } } }',
      { id, b: `Bench note ${i + 1}: checked the account settings and the recent invoices again.` },
    );
    if (r.errors) throw new Error(r.errors[0].message);
  }
  return id;
}

/** A browser signed in as `email`, on the page whose heading is `heading`. */
async function signedIn(email: string, heading: string) {
  const browser = await launchChromium();
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${BASE}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
    return { browser, page };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Signs in as `email`, then times RUNS navigations to `path` until `onScreen` resolves. */
async function timedNavigations(
  email: string,
  heading: string,
  path: string,
  onScreen: (page: Page) => Promise<void>,
): Promise<number[]> {
  const { browser, page } = await signedIn(email, heading);
  try {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = Date.now();
      await page.goto(`${BASE}${path}`);
      await onScreen(page);
      times.push(Date.now() - t0);
    }
    return times;
  } finally {
    await browser.close();
  }
}

/** Navigation → the risk list's first page on screen (my accounts, by score). */
function riskList(): Promise<number[]> {
  return timedNavigations(AM_EMAIL, 'Risk list', '/risk', (page) =>
    page
      .getByRole('table', { name: 'Customers by churn risk' })
      .getByRole('link')
      .first()
      .waitFor(),
  );
}

/** Navigation → the quarter's KPI dashboard complete on screen (figures, trend, table). */
function kpiDashboard(): Promise<number[]> {
  return timedNavigations(
    LEAD_EMAIL,
    'Team KPIs',
    '/kpis?period=this_quarter&by=agent',
    async (page) => {
      await page.getByRole('button', { name: /^Backlog: / }).waitFor();
      await page.getByRole('figure', { name: /by week/ }).waitFor();
      await page
        .getByRole('table', { name: /^KPIs by agent/ })
        .locator('tbody tr')
        .first()
        .waitFor();
    },
  );
}

/** The drill-down lists the bench opens: the figure's metric and the drawer's order. */
const DRILLS: [string, string][] = [
  ['first_response', 'value_desc'],
  ['resolution', 'value_desc'],
  ['sla_first_response_breached', 'recent'],
  ['tickets_created', 'recent'],
  ['csat_bad', 'recent'],
  ['backlog', 'recent'],
];

/** The drill-down's first page (25 rows and their tickets, as the drawer asks) at the API, as the lead. */
async function drillDown(): Promise<number[]> {
  const { browser, page } = await signedIn(LEAD_EMAIL, 'Team KPIs');
  const query = `query($f: KpiFilter!, $m: KpiMetric!, $o: KpiDrillOrder) {
    supportKpiTickets(filter: $f, metric: $m, orderBy: $o, first: 25) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { ticketId surveyId at value customer { id name }
        ticket { id number subject status priority assignee { id name } customer { id name } } } } } }`;
  try {
    const now = new Date();
    const quarters: { from: string; to: string }[] = [];
    for (let k = 0; k < 4; k++) {
      const q = Math.floor(now.getUTCMonth() / 3) - k;
      quarters.push({
        from: new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1)).toISOString(),
        to: new Date(Date.UTC(now.getUTCFullYear(), q * 3 + 3, 1)).toISOString(),
      });
    }
    const times: number[] = [];
    for (let round = 0; round < Math.max(2, Math.round(RUNS / 5)); round++) {
      for (const f of quarters) {
        for (const [m, o] of DRILLS) {
          const t0 = performance.now();
          const r = await gql(page, query, { f, m, o });
          times.push(performance.now() - t0);
          if (r.errors) throw new Error(`${m}: ${r.errors[0].message}`);
        }
      }
    }
    return times;
  } finally {
    await browser.close();
  }
}

async function main() {
  if (ONLY) {
    const lines = [`web console against ${BASE} (${RUNS} runs each; only ${ONLY.join(', ')})`];
    if (runs('kpis')) {
      const kpis = await kpiDashboard();
      lines.push(
        `  navigation → KPI dashboard for a quarter on screen (lead): p50 ${pct(kpis, 50)} ms, p95 ${pct(kpis, 95)} ms (target < 1500 ms); first load of the run ${kpis[0]} ms`,
      );
    }
    if (runs('drill')) {
      const drill = await drillDown();
      lines.push(
        `  drill-down first page at the API (supportKpiTickets, 25 rows; ${drill.length} lists): p50 ${pct(drill, 50).toFixed(0)} ms, p95 ${pct(drill, 95).toFixed(0)} ms (target < 300 ms)`,
      );
    }
    if (runs('risk')) {
      const risk = await riskList();
      lines.push(
        `  navigation → risk list, first page on screen (account manager): p50 ${pct(risk, 50)} ms, p95 ${pct(risk, 95)} ms (target < 1500 ms)`,
      );
    }
    console.log(lines.join('\n'));
    return;
  }
  const js = await initialJsGzip();
  const { browser, page } = await signedIn(EMAIL, 'My open');
  try {
    // how many rows the first page of the view has (≤ 50)
    await page.goto(`${BASE}/queue/team-open`);
    await page.waitForLoadState('networkidle');
    const expected = Math.min(50, await page.locator('tbody tr').count());
    const queue: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = Date.now();
      await page.goto(`${BASE}/queue/team-open`);
      await page.waitForFunction(
        (n) => (globalThis as unknown as Doc).document.querySelectorAll('tbody tr').length >= n,
        expected,
      );
      queue.push(Date.now() - t0);
    }

    const ticket = await ticketWith50Messages(page);
    // in-app: from the queue, click the ticket (the app and its ticket chunk are loaded once)
    const open: number[] = [];
    await page.goto(`${BASE}/queue/my-open`);
    for (let i = 0; i < RUNS; i++) {
      await page.getByRole('link', { name: 'My open' }).click();
      const link = page.locator(`a[href="/tickets/${ticket}"]`).first();
      await link.waitFor();
      const t0 = Date.now();
      await link.click();
      await page.waitForFunction(
        () =>
          (globalThis as unknown as Doc).document.querySelectorAll(
            '[aria-label="Conversation"] > li',
          ).length >= 50,
      );
      open.push(Date.now() - t0);
    }
    const kpis = await kpiDashboard();
    const risk = await riskList();
    const drill = await drillDown();
    console.log(
      [
        `web console against ${BASE} (${RUNS} runs each, full page loads in Chromium)`,
        `  initial JavaScript (sign-in + queue), gzipped: ${(js / 1024).toFixed(0)} KB (budget 300 KB)`,
        `  navigation → first ${expected} queue rows on screen: p50 ${pct(queue, 50)} ms, p95 ${pct(queue, 95)} ms (target < 1000 ms)`,
        `  open a ticket with 50 messages from the queue (in-app): p50 ${pct(open, 50)} ms, p95 ${pct(open, 95)} ms (target < 500 ms)`,
        `  navigation → KPI dashboard for a quarter on screen (lead): p50 ${pct(kpis, 50)} ms, p95 ${pct(kpis, 95)} ms (target < 1500 ms); first load of the run ${kpis[0]} ms`,
        `  navigation → risk list, first page on screen (account manager): p50 ${pct(risk, 50)} ms, p95 ${pct(risk, 95)} ms (target < 1500 ms)`,
        `  drill-down first page at the API (supportKpiTickets, 25 rows; ${drill.length} lists): p50 ${pct(drill, 50).toFixed(0)} ms, p95 ${pct(drill, 95).toFixed(0)} ms (target < 300 ms)`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench:web: ${err.message}`);
  process.exit(1);
});
