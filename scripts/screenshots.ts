import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser';

/**
 * `npm run screenshots`: a PNG of each page of the agents', account managers' and admins' workspaces in docs/screenshots/, taken
 * in Chromium against a running api with the demo data (`npm start -- --demo`; STAYDESK_URL
 * overrides http://localhost:3000).
 */
const BASE = (process.env.STAYDESK_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const OUT = join(__dirname, '..', '..', 'docs', 'screenshots');
const AGENT = process.env.SCREENSHOT_EMAIL ?? 'agent1@demo.staydesk.local';
const PASSWORD = process.env.SCREENSHOT_PASSWORD ?? 'staydesk-demo';
const ADMIN = process.env.SCREENSHOT_ADMIN_EMAIL ?? 'admin@demo.staydesk.local';
const IMPORT_SAMPLE = join(
  __dirname,
  '..',
  '..',
  'test',
  'fixtures',
  'import',
  'browser-events.csv',
);

const LEAD = process.env.SCREENSHOT_LEAD_EMAIL ?? 'lead.tier1@demo.staydesk.local';
const AM = process.env.SCREENSHOT_AM_EMAIL ?? 'am1@demo.staydesk.local';

async function signInAs(page: Page, email: string, home: string) {
  await page.goto(`${BASE}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${BASE}${home}`);
}

/** The team lead's dashboard, a drill-down, and the account manager's retention summary. */
async function leadsAndRetention() {
  const browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signInAs(page, LEAD, '/kpis');
    await page.goto(`${BASE}/kpis?period=last_4_weeks&by=agent`);
    await page.getByRole('button', { name: /^Backlog: / }).waitFor();
    await page
      .getByRole('table', { name: /^KPIs by agent/ })
      .locator('tbody tr')
      .first()
      .waitFor();
    await shot(page, 'kpis');
    await page.getByRole('button', { name: /^SLA · first response: / }).click();
    await page.getByRole('dialog').getByRole('link').first().waitFor();
    await shot(page, 'kpis-drill-down');
    await page.context().clearCookies();
    await signInAs(page, AM, '/risk');
    await page.goto(`${BASE}/retention?period=last_quarter`);
    await page.getByRole('button', { name: /^Retention rate: / }).waitFor();
    await shot(page, 'retention');
  } finally {
    await browser.close();
  }
}

async function signIn(page: Page) {
  await page.goto(`${BASE}/sign-in`);
  await page.getByLabel('Email').fill(AGENT);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My open' }).waitFor();
  await page.getByRole('link', { name: /^#\d+/ }).first().waitFor();
}

async function shot(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300); // transitions of the component library
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`wrote docs/screenshots/${name}.png`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    const browser = await launchChromium({ colorScheme: scheme });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      if (scheme === 'light') {
        await page.goto(`${BASE}/sign-in`);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await shot(page, 'sign-in');
      }
      await signIn(page);
      if (scheme === 'dark') {
        await shot(page, 'queue-dark');
        continue;
      }
      await shot(page, 'queue');
      await page.keyboard.press('j');
      await page.keyboard.press('Enter');
      await page.getByRole('textbox', { name: /Reply to the customer|Internal note/ }).waitFor();
      await page.getByText('Churn risk', { exact: true }).waitFor();
      await shot(page, 'ticket');
      await page.keyboard.press('n');
      await page.keyboard.type('Checked the logs: the export job timed out at 02:00 UTC.');
      await shot(page, 'ticket-note');
      await page.goto(`${BASE}/queue/unassigned`);
      await page.getByRole('row').nth(1).waitFor();
      await shot(page, 'queue-unassigned');
      await page.keyboard.press('Control+k');
      // fill, not keyboard.type: the palette's box may take the focus a moment after it shows,
      // and keys typed before that go to the queue (likely why one run never saw Clearwater)
      await page.getByRole('textbox', { name: 'Jump to' }).fill('clear');
      await page
        .getByRole('button', { name: /Clearwater/ })
        .first()
        .waitFor();
      await shot(page, 'palette');
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      await shot(page, 'shortcuts');
      await page.keyboard.press('Escape');
      await page.goto(`${BASE}/tickets/new`);
      await page.getByRole('combobox', { name: 'Customer' }).waitFor();
      await shot(page, 'new-ticket');
    } finally {
      await browser.close();
    }
  }
  await accountManagerShots();
  await adminPages();
  const phone = await launchChromium({ viewport: { width: 390, height: 844 } });
  try {
    const page = phone.context.pages()[0] ?? (await phone.context.newPage());
    await signIn(page);
    await shot(page, 'phone-queue');
    await page.getByRole('link', { name: /^#\d+/ }).first().click();
    await page.getByRole('textbox', { name: /Reply to the customer/ }).waitFor();
    await shot(page, 'phone-ticket');
  } finally {
    await phone.close();
  }
  await leadsAndRetention();
}

/** The admin screens, signed in as the demo admin. */
async function adminPages() {
  const browser = await launchChromium({ viewport: { width: 1280, height: 860 } });
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${BASE}/sign-in`);
    await page.getByLabel('Email').fill(ADMIN);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /^Admin/ }).waitFor();
    await page.goto(`${BASE}/admin/users`);
    await page
      .getByRole('button', { name: /^Actions for/ })
      .first()
      .waitFor();
    await shot(page, 'admin-users');
    await page.goto(`${BASE}/admin/teams`);
    await page
      .getByRole('button', { name: /^Edit / })
      .first()
      .click();
    await page.getByRole('button', { name: 'Save team' }).waitFor();
    await shot(page, 'admin-team');
    await page.goto(`${BASE}/admin/sla`);
    await page
      .getByRole('button', { name: /^Edit / })
      .first()
      .waitFor();
    await shot(page, 'admin-sla');
    await page.goto(`${BASE}/admin/import`);
    const select = (name: string) =>
      page
        .getByRole('combobox', { name, exact: true })
        .or(page.getByRole('textbox', { name, exact: true }));
    await select('What the file holds').click();
    await page.getByRole('option', { name: /^Event log/ }).click();
    await page.locator('input[type=file]').setInputFiles(IMPORT_SAMPLE);
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    await page.getByRole('table', { name: 'First rows of the file' }).waitFor();
    await select('Column for Activity').click();
    await page.getByRole('option', { name: 'Action', exact: true }).click();
    await select('Effect of Resolved').waitFor();
    await shot(page, 'admin-import-mapping');
    await page.goto(`${BASE}/admin/mailboxes`);
    await page.getByRole('button', { name: 'Add mailbox' }).waitFor();
    await shot(page, 'admin-mailboxes');
  } finally {
    await browser.close();
  }
}

/** The account manager's workspace: the risk list, the top customer's page, a factor's evidence. */
async function accountManagerShots() {
  const browser = await launchChromium({ viewport: { width: 1440, height: 1000 } });
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${BASE}/sign-in`);
    await page
      .getByLabel('Email')
      .fill(process.env.SCREENSHOT_AM_EMAIL ?? 'am1@demo.staydesk.local');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Risk list' }).waitFor();
    await page
      .getByRole('table', { name: 'Customers by churn risk' })
      .getByRole('link')
      .first()
      .waitFor();
    await shot(page, 'risk-list');
    await page
      .getByRole('table', { name: 'Customers by churn risk' })
      .getByRole('link')
      .first()
      .click();
    await page.getByRole('table', { name: 'Risk factors' }).waitFor();
    await shot(page, 'customer');
    const evidence = page.getByRole('button', { name: /show the \d+/ }).first();
    if (await evidence.count()) {
      await evidence.click();
      await page.getByRole('dialog').waitFor();
      await shot(page, 'customer-evidence');
    }
  } finally {
    await browser.close();
  }
}

main().catch((err: Error) => {
  console.error(`screenshots: ${err.message}`);
  process.exit(1);
});
