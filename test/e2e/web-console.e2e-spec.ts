import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Page } from 'playwright-core';
import { LiveHub } from '@staydesk/live';
import { createApi } from '../../apps/api/src/bootstrap';
import { launchChromium, type Browser } from '../../scripts/browser';
import { PASSWORD, insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';
import {
  assertWebBuilt,
  expectNoSeriousA11yViolations,
  field,
  firstPage,
  signIn as signInAs,
} from '../support/web';

/**
 * The web console in Debian's Chromium (playwright-core) against the real api, worker,
 * PostgreSQL and Redis: session cookie and logout, the agent's journey from queue to solved,
 * creating a ticket, drafts across reloads and conflicts, private teams, error pages, an api
 * outage, and axe on every page. Needs the built bundle (`npm run build:web`, part of `npm test`).
 */
let stack: TestStack;
const browsers: Browser[] = [];
const ids = {
  tier1: '',
  vault: '',
  agent1: '',
  agent2: '',
  vaultAgent: '',
  customer: '',
  contact: '',
  tickets: [] as string[],
  vaultTicket: '',
};

const EMAIL = {
  admin: 'admin@web.test',
  agent1: 'agent1@web.test',
  agent2: 'agent2@web.test',
  vault: 'vault@web.test',
};

beforeAll(async () => {
  assertWebBuilt();
  // every journey signs in from the same loopback address
  stack = await startStack({
    env: { LOGIN_RATE_LIMIT_IP_PER_MINUTE: '500', LOGIN_RATE_LIMIT_EMAIL_PER_MINUTE: '100' },
  });
  await insertUser(stack, { email: EMAIL.admin, role: 'admin', name: 'Ada Admin' });
  const admin = await login(stack, EMAIL.admin);
  const team = async (name: string, isPrivate: boolean) =>
    (
      await ok(stack, admin, 'mutation($i: TeamInput!) { createTeam(input: $i) { id } }', {
        i: { name, isPrivate },
      })
    ).createTeam.id as string;
  ids.tier1 = await team('Tier 1', false);
  ids.vault = await team('Vault', true);
  ids.agent1 = await insertUser(stack, {
    email: EMAIL.agent1,
    role: 'agent',
    name: 'Robin Keller',
    teamId: ids.tier1,
  });
  ids.agent2 = await insertUser(stack, {
    email: EMAIL.agent2,
    role: 'agent',
    name: 'Sam Otto',
    teamId: ids.tier1,
  });
  ids.vaultAgent = await insertUser(stack, {
    email: EMAIL.vault,
    role: 'agent',
    name: 'Vera Vault',
    teamId: ids.vault,
  });
  const c = await ok(
    stack,
    admin,
    'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id contacts { id } } }',
    {
      i: {
        name: 'Northwind Traders',
        tier: 'pro',
        mrr: 1200,
        contacts: [{ name: 'Priya Silva', email: 'priya@northwind.example' }],
      },
    },
  );
  ids.customer = c.createCustomer.id;
  ids.contact = c.createCustomer.contacts[0].id;
  const agentToken = await login(stack, EMAIL.agent1);
  const subjects = ['Export stops at 10,000 rows', 'Cannot log in after reset', 'Invoice twice'];
  for (const subject of subjects) {
    const t = await ok(
      stack,
      agentToken,
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }',
      {
        i: {
          requesterId: ids.contact,
          subject,
          channel: 'email',
          teamId: ids.tier1,
          assigneeId: ids.agent1,
          message: { kind: 'customer_message', body: `Hello, about "${subject}": please help.` },
        },
      },
    );
    ids.tickets.push(t.createTicket.id);
  }
  const vaultToken = await login(stack, EMAIL.vault);
  const v = await ok(
    stack,
    vaultToken,
    'mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }',
    {
      i: {
        requesterId: ids.contact,
        subject: 'Security review of the vault',
        channel: 'email',
        teamId: ids.vault,
        message: { kind: 'customer_message', body: 'Please review our vault settings.' },
      },
    },
  );
  ids.vaultTicket = v.createTicket.id;
  await ok(
    stack,
    vaultToken,
    'mutation($id: ID!, $b: String!) { addInternalNote(id: $id, body: $b) { message { id } } }',
    { id: ids.vaultTicket, b: 'The master key rotation is scheduled for Friday.' },
  );
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await stack?.close();
});

async function browser(viewport?: { width: number; height: number }): Promise<Page> {
  const b = await launchChromium({ viewport });
  browsers.push(b);
  return firstPage(b);
}

async function signIn(page: Page, email: string, base = stack.url) {
  await signInAs(page, `${base}/`, email);
  await page.getByRole('heading', { name: 'My open' }).waitFor();
}

/** Polls a condition of the server side (every 50 ms, at most 10 s). */
async function until(condition: () => boolean, what: string) {
  for (const end = Date.now() + 10_000; Date.now() < end;) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the text box of that name has the keyboard focus (before typing into it). */
const focused = (page: Page, name: string) =>
  page.getByRole('textbox', { name }).and(page.locator(':focus')).waitFor();

const messages = async (ticketId: string) =>
  (
    await stack.db.query<{ kind: string; body: string; author_user_id: string | null }>(
      'SELECT kind, body, author_user_id::text FROM ticket_messages WHERE ticket_id = $1 ORDER BY id',
      [ticketId],
    )
  ).rows;

describe('serving and session (HTTP)', () => {
  it('serves the console with a strict CSP, never-cached index, immutable assets and SPA fallback', async () => {
    const index = await fetch(`${stack.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-store');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await index.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const js = await fetch(`${stack.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toContain('javascript');
    const deep = await fetch(`${stack.url}/tickets/${ids.tickets[0]}`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    for (const path of ['/exports/nothing.csv', '/health/nothing', '/assets/missing.js', '/s/']) {
      const r = await fetch(`${stack.url}${path}`);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(await r.text()).not.toContain('<div id="root">');
    }
  });

  it('login sets the httpOnly SameSite=Strict cookie; logout ends the session on the server', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        variables: { e: EMAIL.agent2, p: PASSWORD },
      }),
    });
    const setCookie = res.headers.get('set-cookie') ?? '';
    const token = ((await res.json()) as any).data.login.token as string;
    expect(setCookie).toContain(`sd_session=${token}`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // only in production
    const cookie = { cookie: `sd_session=${token}` };
    const me = await stack.gql('{ me { email } }', {}, { headers: cookie });
    expect(me.data?.me.email).toBe(EMAIL.agent2);
    // CSRF: a form-like cross-site request (text/plain, no preflight) is refused by Apollo
    const csrf = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...cookie },
      body: JSON.stringify({ query: 'mutation { logout }' }),
    });
    expect(csrf.status).toBe(400);
    const out = await stack.gql('mutation { logout }', {}, { headers: cookie });
    expect(out.data?.logout).toBe(true);
    expect(out.headers.get('set-cookie')).toMatch(/sd_session=;.*Max-Age=0/);
    const after = await stack.gql('{ me { email } }', {}, { headers: cookie });
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.errors?.[0].message).toMatch(/signed out/);
    const bearer = await stack.gql('{ me { email } }', {}, { token });
    expect(bearer.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // other sessions of the same user keep working
    const other = await login(stack, EMAIL.agent2);
    expect((await stack.gql('{ me { email } }', {}, { token: other })).data?.me.email).toBe(
      EMAIL.agent2,
    );
  });

  it('counts tickets for the views (totalCount)', async () => {
    const token = await login(stack, EMAIL.agent1);
    const r = await ok(
      stack,
      token,
      '{ a: tickets(filter: { mine: true }, first: 1) { totalCount edges { node { id } } } b: tickets(filter: { teamIds: [' +
        JSON.stringify(ids.vault) +
        '] }) { totalCount } }',
    );
    expect(r.a.totalCount).toBe(3);
    expect(r.a.edges).toHaveLength(1);
    // the private team's ticket is not counted for an agent of another team; its member counts it
    expect(r.b.totalCount).toBe(0);
    const member = await login(stack, EMAIL.vault);
    const m = await ok(
      stack,
      member,
      `{ tickets(filter: { teamIds: [${JSON.stringify(ids.vault)}] }) { totalCount } }`,
    );
    expect(m.tickets.totalCount).toBe(1);
  });
});

describe('the agent in the browser', () => {
  it('signs in, works a ticket from the queue by keyboard to solved, and signs out', async () => {
    const page = await browser();
    await page.goto(`${stack.url}/queue/my-open`);
    await page.waitForURL(/\/sign-in\?next=/); // signed out: sent to sign in first
    await expectNoSeriousA11yViolations(page, 'sign-in');
    await page.getByLabel('Email').fill(EMAIL.agent1);
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(
      /the e-mail or password is wrong/i,
    );
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My open' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Views' });
    await nav.getByRole('link', { name: /My open\s*3/ }).waitFor();
    const rows = page.getByRole('row');
    await rows.nth(3).waitFor(); // header + 3 tickets
    await expectNoSeriousA11yViolations(page, 'queue');

    // j moves the selection down, k up, Enter opens the selected ticket
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const selected = page.getByRole('row', { selected: true });
    const subject = (await selected.getByRole('link').first().textContent())!.replace(/^#\d+/, '');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const ticketId = /\/tickets\/(\d+)/.exec(page.url())![1];
    await page
      .getByText('Churn risk')
      .or(page.getByText('Churn risk not scored yet.'))
      .first()
      .waitFor();
    await expectNoSeriousA11yViolations(page, 'ticket');

    // r focuses the reply box; Ctrl+Enter sends
    await page.keyboard.press('r');
    await focused(page, 'Reply to the customer');
    await page.keyboard.type('We found the cause and are fixing it now.');
    await page.keyboard.press('Control+Enter');
    await page.getByText('Reply sent').waitFor();
    await page.getByRole('listitem', { name: 'Public reply by Robin Keller' }).waitFor();

    // Escape leaves the text box; n switches to an internal note
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await focused(page, 'Internal note');
    await page.keyboard.type('Engineering confirmed the fix for tonight.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('listitem', { name: 'Internal note by Robin Keller' }).waitFor();

    // reply and solve in one go
    await page.keyboard.press('Escape');
    await page.keyboard.press('r'); // back to a public reply
    await focused(page, 'Reply to the customer');
    await page.keyboard.type('Fixed — please try again.');
    await page.getByRole('button', { name: 'Send and set solved' }).click();
    await page.getByText('Reply sent · ticket solved').waitFor();

    expect(await messages(ticketId)).toEqual([
      expect.objectContaining({ kind: 'customer_message' }),
      {
        kind: 'public_reply',
        body: 'We found the cause and are fixing it now.',
        author_user_id: ids.agent1,
      },
      {
        kind: 'internal_note',
        body: 'Engineering confirmed the fix for tonight.',
        author_user_id: ids.agent1,
      },
      { kind: 'public_reply', body: 'Fixed — please try again.', author_user_id: ids.agent1 },
    ]);
    const { rows: status } = await stack.db.query('SELECT status FROM tickets WHERE id = $1', [
      ticketId,
    ]);
    expect(status[0].status).toBe('solved');

    // ? lists the shortcuts
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await expectNoSeriousA11yViolations(page, 'shortcuts');
    await page.keyboard.press('Escape');

    // sign out ends the session: the console is back at sign-in, the old cookie is dead
    const cookie = (await page.context().cookies()).find((c) => c.name === 'sd_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    await page.getByRole('button', { name: /Account: Robin Keller/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const again = await stack.gql(
      '{ me { id } }',
      {},
      { headers: { cookie: `sd_session=${cookie.value}` } },
    );
    expect(again.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('creates a ticket for a customer found by search, and shows BAD_USER_INPUT next to its field', async () => {
    const page = await browser();
    await signIn(page, EMAIL.agent1);
    await page.getByRole('link', { name: 'New ticket' }).first().click();
    await page.getByRole('heading', { name: 'New ticket' }).waitFor();
    await expectNoSeriousA11yViolations(page, 'new ticket');
    await page.getByRole('combobox', { name: 'Customer' }).fill('northw');
    await page.getByRole('option', { name: 'Northwind Traders' }).click();
    const requester = field(page, 'Requester');
    await expect(requester.inputValue()).resolves.toBe('Priya Silva <priya@northwind.example>');
    await page.getByRole('textbox', { name: 'Subject' }).fill('Phone call: needs a second admin');
    await page
      .getByRole('textbox', { name: 'First message' })
      .fill('Called in, wants a second admin.');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Phone call: needs a second admin' })
      .waitFor();
    const id = /\/tickets\/(\d+)/.exec(page.url())![1];
    const { rows } = await stack.db.query(
      'SELECT subject, channel, requester_id::text, assignee_id::text FROM tickets WHERE id = $1',
      [id],
    );
    expect(rows[0]).toEqual({
      subject: 'Phone call: needs a second admin',
      channel: 'phone',
      requester_id: ids.contact,
      assignee_id: ids.agent1,
    });

    // a tag the api refuses: the sentence appears under the Tags field
    const tags = field(page, 'Tags');
    await tags.fill('not a tag!');
    await tags.press('Enter');
    await page.getByText(/is not a tag \(a-z, 0-9, - and _, up to 40 characters\)/).waitFor();
    const described = await tags.getAttribute('aria-describedby');
    expect(described).toBeTruthy();
    expect(await page.locator(`[id="${described!.split(' ').pop()}"]`).textContent()).toMatch(
      /is not a tag/,
    );
  });

  it('shows who else is on a ticket, keeps a draft across a reload, and tells at once (draft kept) when another agent changed the ticket', async () => {
    const ticket = ids.tickets[2];
    const a = await browser();
    const b = await browser();
    await signIn(a, EMAIL.agent1);
    await signIn(b, EMAIL.agent2);
    await a.goto(`${stack.url}/tickets/${ticket}`);
    await b.goto(`${stack.url}/tickets/${ticket}`);
    const boxB = b.getByRole('textbox', { name: 'Reply to the customer' });
    await boxB.fill('Draft from Sam: refund is on its way.');
    await b.reload();
    await expect(boxB.inputValue()).resolves.toBe('Draft from Sam: refund is on its way.');

    // presence: each sees the other; Robin writing shows as writing
    const others = (p: Page) => p.getByRole('status', { name: 'Others on this ticket' });
    await others(a).filter({ hasText: 'Sam Otto is viewing' }).waitFor();
    await others(b).filter({ hasText: 'Robin Keller is viewing' }).waitFor();
    await a
      .getByRole('textbox', { name: 'Reply to the customer' })
      .fill('Robin here: we refunded the second charge.');
    await others(b).filter({ hasText: 'Robin Keller is writing a reply' }).waitFor();
    await expectNoSeriousA11yViolations(b, 'ticket with another agent on it');
    await a.getByRole('button', { name: 'Send reply' }).click();
    await a.getByText('Reply sent').waitFor();

    // Sam's page says so at once (live), before any send, with the draft kept
    const alert = b
      .getByRole('alert')
      .filter({ hasText: 'This ticket changed while you were writing' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/New reply from Robin Keller/);
    await expect(boxB.inputValue()).resolves.toBe('Draft from Sam: refund is on its way.');
    await expect(b.getByRole('button', { name: 'Send reply' }).isDisabled()).resolves.toBe(true);
    // and the conversation shows the new reply without a reload
    await b.getByText('Robin here: we refunded the second charge.', { exact: true }).waitFor();
    expect((await messages(ticket)).map((m) => m.body)).not.toContain(
      'Draft from Sam: refund is on its way.',
    );
    // after reading the change, Sam sends the kept draft
    await b.getByRole('button', { name: 'I have read them' }).click();
    await b.getByRole('button', { name: 'Send reply' }).click();
    await b.getByText('Reply sent').waitFor();
    expect((await messages(ticket)).map((m) => m.body)).toContain(
      'Draft from Sam: refund is on its way.',
    );
    await b.reload();
    await expect(
      b.getByRole('textbox', { name: 'Reply to the customer' }).inputValue(),
    ).resolves.toBe('');
  });

  it("shows the not-found page, and nothing of the ticket, to an agent of another team who opens a private team's ticket by URL", async () => {
    const page = await browser();
    await signIn(page, EMAIL.agent1);
    await page.goto(`${stack.url}/tickets/${ids.vaultTicket}`);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/Security review|vault settings|master key/i);
    // nor in the queue views or the search
    await page.goto(`${stack.url}/queue/team-open`);
    await page.getByRole('heading', { level: 1, name: "My teams' open" }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('vault');
    await page.getByText('Nothing here').waitFor();
    // the member sees it, notes included
    const member = await browser();
    await signIn(member, EMAIL.vault);
    await member.goto(`${stack.url}/tickets/${ids.vaultTicket}`);
    await member.getByRole('heading', { level: 1, name: 'Security review of the vault' }).waitFor();
    await member.getByText('The master key rotation is scheduled for Friday.').waitFor();
  });

  it('brings a ticket created through the API into the open queue and the counts without a reload, keeping the selection, and notifies the assignee', async () => {
    const hub = stack.api.get(LiveHub, { strict: false });
    const open = hub.size;
    const page = await browser();
    await signIn(page, EMAIL.agent1);
    const rows = page.getByRole('table', { name: 'My open tickets' }).getByRole('row');
    await rows.nth(2).waitFor();
    // the page is live once its subscriptions (queue, counts, my tickets, my follow-ups) are open
    await until(() => hub.size >= open + 4, 'the queue page subscribed');
    const count = page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: /My open/ });
    const before = Number((await count.textContent())!.replace(/\D/g, ''));
    // j moves the selection to the second ticket
    await page.keyboard.press('j');
    const selected = page.getByRole('row', { selected: true });
    const chosen = (await selected.textContent())!;
    const token = await login(stack, EMAIL.agent2);
    await ok(stack, token, 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }', {
      i: {
        requesterId: ids.contact,
        subject: 'Live: the printer is on fire',
        channel: 'phone',
        teamId: ids.tier1,
        assigneeId: ids.agent1,
      },
    });
    await rows.filter({ hasText: 'Live: the printer is on fire' }).waitFor();
    await page.getByText('Assigned to you').waitFor();
    await expect(selected.textContent()).resolves.toBe(chosen);
    await count.filter({ hasText: String(before + 1) }).waitFor();
  });

  it("shows an agent's team views the tickets of no team too (mail no rule routed), live and after a reload", async () => {
    const hub = stack.api.get(LiveHub, { strict: false });
    const open = hub.size;
    const page = await browser();
    await signIn(page, EMAIL.agent1);
    await page.goto(`${stack.url}/queue/unassigned`);
    const table = page.getByRole('table', { name: 'Unassigned in my teams tickets' });
    await table.waitFor();
    await until(() => hub.size >= open + 4, 'the queue page subscribed');
    const count = page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: /Unassigned in my teams/ });
    const before = Number((await count.textContent())!.replace(/\D/g, ''));
    // as an inbound mail opens it: no team, no assignee
    await ok(
      stack,
      await login(stack, EMAIL.admin),
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }',
      {
        i: { requesterId: ids.contact, subject: 'Unrouted: where is my order?', channel: 'email' },
      },
    );
    await table.getByRole('row').filter({ hasText: 'Unrouted: where is my order?' }).waitFor();
    await count.filter({ hasText: String(before + 1) }).waitFor();
    // the list itself (not only the live event) holds it
    await page.reload();
    await table.getByRole('row').filter({ hasText: 'Unrouted: where is my order?' }).waitFor();
  });

  it('jumps to a ticket by its number from the command palette (Ctrl+K)', async () => {
    const { rows } = await stack.db.query<{ number: number; subject: string }>(
      'SELECT number, subject FROM tickets WHERE id = $1',
      [ids.tickets[1]],
    );
    const page = await browser();
    await signIn(page, EMAIL.agent1);
    await page.keyboard.press('Control+k');
    await page.getByRole('textbox', { name: 'Jump to' }).fill(`#${rows[0].number}`);
    await page.getByRole('button', { name: `Open ticket #${rows[0].number}` }).click();
    await page.getByRole('heading', { level: 1, name: rows[0].subject }).waitFor();
    expect(page.url()).toBe(`${stack.url}/tickets/${ids.tickets[1]}`);
    // the page names the ticket by its number, not its id
    await page.getByText(`#${rows[0].number} ·`).waitFor();
  });

  it('shows a NOT_FOUND page, the coming workspaces, and passes axe on them', async () => {
    const page = await browser();
    await signIn(page, EMAIL.agent1);
    await page.goto(`${stack.url}/tickets/987654321`);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    await expectNoSeriousA11yViolations(page, 'not found');
    await page.goto(`${stack.url}/no/such/page`);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
  });

  it('works at a phone size and in dark mode', async () => {
    const page = await browser({ width: 390, height: 844 });
    await signIn(page, EMAIL.agent1);
    await page.getByRole('list', { name: 'My open tickets' }).waitFor();
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await expect(page.locator('html').getAttribute('data-mantine-color-scheme')).resolves.toBe(
      'dark',
    );
    await expectNoSeriousA11yViolations(page, 'queue (phone, dark)');
  });

  it('shows a banner and keeps the draft while the api is unreachable', async () => {
    // a second, real api process on the same database, stopped in the middle of the work
    const second: NestFastifyApplication = await createApi(stack.config);
    await second.listen({ port: 0, host: '127.0.0.1' });
    const base = await second.getUrl();
    const page = await browser();
    try {
      await signIn(page, EMAIL.agent1, base);
      await page.goto(`${base}/tickets/${ids.tickets[1]}`);
      const box = page.getByRole('textbox', { name: 'Reply to the customer' });
      await box.fill('Written while the server goes away.');
    } finally {
      await second.close();
    }
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('alert').filter({ hasText: 'cannot be reached' }).first().waitFor();
    await expect(
      page.getByRole('textbox', { name: 'Reply to the customer' }).inputValue(),
    ).resolves.toBe('Written while the server goes away.');
    expect((await messages(ids.tickets[1])).map((m) => m.body)).not.toContain(
      'Written while the server goes away.',
    );
  });
});
