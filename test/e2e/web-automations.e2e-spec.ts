import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../../scripts/browser';
import { insertUser, login, ok } from '../support/factories';
import { TestStack, startStack } from '../support/stack';
import {
  assertWebBuilt,
  expectNoSeriousA11yViolations,
  field,
  firstPage,
  signIn,
} from '../support/web';

/**
 * The automations screens in Chromium against the real api: a macro applied from the ticket
 * composer (`/`, search, preview, apply), a saved view in the sidebar, and a rule built and
 * tested in the rules builder, a message split and a duplicate merged from the ticket page; axe
 * on each screen. Needs `npm run build:web`.
 */
jest.setTimeout(120_000);

let stack: TestStack;
let browser: Browser;
let page: Page;
const ids = { contact: '', ticket: '', number: 0 };

beforeAll(async () => {
  assertWebBuilt();
  stack = await startStack({ worker: false });
  await insertUser(stack, { email: 'admin@auto.test', role: 'admin', name: 'Ada Admin' });
  const admin = await login(stack, 'admin@auto.test');
  const c = await ok(
    stack,
    admin,
    'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { contacts { id } } }',
    {
      i: {
        name: 'Northwind',
        tier: 'pro',
        contacts: [{ name: 'Priya Silva', email: 'priya@northwind.example' }],
      },
    },
  );
  ids.contact = c.createCustomer.contacts[0].id;
  const t = await ok(
    stack,
    admin,
    'mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }',
    {
      i: {
        requesterId: ids.contact,
        subject: 'Export is slow',
        channel: 'email',
        message: { kind: 'customer_message', body: 'The export takes an hour.' },
      },
    },
  );
  ids.ticket = t.createTicket.id;
  ids.number = t.createTicket.number;
  for (const name of ['Ask for logs', 'Thanks and close']) {
    await ok(stack, admin, 'mutation($i: MacroInput!) { createMacro(input: $i) { id } }', {
      i: {
        name,
        scope: 'global',
        body: `Hi {{requester.first_name}}, about #{{ticket.number}}: ${name.toLowerCase()}.`,
        actions: { addTags: ['macro-used'] },
      },
    });
  }
  await ok(stack, admin, 'mutation($i: SavedViewInput!) { createSavedView(input: $i) { id } }', {
    i: { name: 'Email backlog', filter: { channel: ['email'] } },
  });
  browser = await launchChromium();
  page = await firstPage(browser);
  await signIn(page, `${stack.url}/`, 'admin@auto.test');
  await page.getByRole('heading', { name: 'My open' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('applies a macro from the composer after showing what it will do', async () => {
  await page.goto(`${stack.url}/tickets/${ids.ticket}`);
  const box = page.getByRole('textbox', { name: 'Reply to the customer' });
  await box.click();
  await page.keyboard.press('/');
  const dialog = page.getByRole('dialog', { name: 'Apply a macro' });
  await dialog.waitFor();
  await dialog.getByLabel('Search macros').fill('logs');
  await dialog.getByRole('listitem').filter({ hasText: 'Ask for logs' }).click();
  await dialog.getByText(`Hi Priya, about #${ids.number}: ask for logs.`).waitFor();
  await dialog.getByText('Tags: none → macro-used').waitFor();
  await dialog.getByText('Assignee: none → you').waitFor();
  await expectNoSeriousA11yViolations(page, 'macro preview');
  await dialog.getByRole('button', { name: 'Apply macro' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const t = await stack.db.query(`SELECT tags, status FROM tickets WHERE id = $1`, [ids.ticket]);
  expect(t.rows[0]).toEqual({ tags: ['macro-used'], status: 'open' });
  const m = await stack.db.query(
    `SELECT body FROM ticket_messages WHERE ticket_id = $1 AND kind = 'public_reply'`,
    [ids.ticket],
  );
  expect(m.rows.map((r) => r.body)).toEqual([`Hi Priya, about #${ids.number}: ask for logs.`]);
});

it('lists saved views in the sidebar with their counts', async () => {
  const nav = page.getByRole('navigation', { name: 'Saved views' });
  await nav.getByRole('link', { name: /Email backlog/ }).click();
  await page.getByRole('heading', { name: 'Email backlog' }).waitFor();
  await page.getByRole('link', { name: `#${ids.number} Export is slow` }).waitFor();
  await expect(nav.getByLabel('1 ticket', { exact: true }).count()).resolves.toBe(1);
  await expectNoSeriousA11yViolations(page, 'saved view');
});

it('builds a rule, tests it against a ticket, and saves it', async () => {
  await page.goto(`${stack.url}/automations/rules`);
  await page.getByRole('heading', { name: 'Automation rules' }).waitFor();
  await page.getByRole('button', { name: 'New rule' }).click();
  const drawer = page.getByRole('dialog', { name: 'New rule' });
  await drawer.getByLabel('Name').fill('Route e-mail');
  await field(drawer, 'Condition 1: values').focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('option', { name: 'Email' }).click();
  await page.keyboard.press('Escape');
  await field(drawer, 'Add tags').fill('routed');
  await page.keyboard.press('Enter');
  await drawer.getByLabel('Ticket number').fill(String(ids.number));
  await drawer.getByRole('button', { name: 'Test rule' }).click();
  await drawer.getByText('The rule matches this ticket').waitFor();
  await drawer.getByText(/^Tags: .* → (macro-used,)?routed$/).waitFor();
  await expectNoSeriousA11yViolations(page, 'rule builder');
  // nothing was written by the test
  const before = await stack.db.query(`SELECT tags FROM tickets WHERE id = $1`, [ids.ticket]);
  expect(before.rows[0].tags).not.toContain('routed');
  await drawer.getByRole('button', { name: 'Save rule' }).click();
  await drawer.waitFor({ state: 'hidden' });
  await page.getByText('Route e-mail v1').waitFor();
  const rules = await stack.db.query(
    `SELECT name, trigger, conditions, actions FROM automation_rules`,
  );
  expect(rules.rows).toEqual([
    {
      name: 'Route e-mail',
      trigger: 'ticket_created',
      conditions: [{ field: 'channel', operator: 'is', values: ['email'] }],
      actions: { addTags: ['routed'] },
    },
  ]);
  await expectNoSeriousA11yViolations(page, 'rules list');
});

it('shows the custom fields admin and passes axe', async () => {
  await page.goto(`${stack.url}/automations/fields`);
  await page.getByRole('heading', { name: 'Custom fields' }).waitFor();
  await page.getByRole('textbox', { name: 'Label' }).fill('Contract plan');
  await page.getByRole('button', { name: 'Create field' }).click();
  await page.getByRole('cell', { name: 'contract_plan' }).waitFor();
  await expectNoSeriousA11yViolations(page, 'custom fields');
});

it('splits a customer message into a new ticket, then merges the duplicate into another ticket', async () => {
  const admin = await login(stack, 'admin@auto.test');
  const create = async (subject: string, body: string) =>
    (
      await ok(
        stack,
        admin,
        'mutation($i: CreateTicketInput!) { createTicket(input: $i) { id number } }',
        {
          i: {
            requesterId: ids.contact,
            subject,
            channel: 'email',
            message: { kind: 'customer_message', body },
          },
        },
      )
    ).createTicket as { id: string; number: number };
  const keep = await create('Invoice is wrong', 'The March invoice is wrong.');
  const dup = await create('Invoice again', 'Did you see my invoice mail?');
  await ok(
    stack,
    admin,
    'mutation($id: ID!) { addCustomerMessage(id: $id, body: "Also: how do I add a seat?") { message { id } } }',
    { id: dup.id },
  );

  // split: the second customer message becomes a ticket of its own
  await page.goto(`${stack.url}/tickets/${dup.id}`);
  await page
    .getByRole('listitem')
    .filter({ hasText: 'how do I add a seat?' })
    .getByRole('button', { name: /^Actions for the message by Priya Silva/ })
    .click();
  await page.getByRole('menuitem', { name: 'Split into a new ticket' }).click();
  const splitDialog = page.getByRole('dialog', { name: 'Split into a new ticket' });
  await splitDialog.getByLabel('Subject of the new ticket').fill('Adding a seat');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Adding a seat', exact: true }).waitFor();
  const split = await ok(
    stack,
    admin,
    'query($id: ID!) { ticket(id: $id) { messages(first: 5) { edges { node { body } } } events { type toValue } } }',
    { id: page.url().split('/tickets/')[1] },
  );
  expect(split.ticket.messages.edges.map((e: any) => e.node.body)).toEqual([
    'Also: how do I add a seat?',
  ]);
  expect(split.ticket.events.map((e: any) => e.type)).toContain('split_from');

  // merge: the duplicate into the ticket that stays, found by its number
  await page.goto(`${stack.url}/tickets/${dup.id}`);
  await page.getByRole('button', { name: 'More ticket actions' }).click();
  await page.getByRole('menuitem', { name: 'Merge into another ticket…' }).click();
  const dialog = page.getByRole('dialog', { name: `Merge #${dup.number} into another ticket` });
  const number = dialog.getByLabel('Merge into ticket');
  await number.fill(`#${dup.number}`);
  await dialog.getByRole('button', { name: `Merge into #${dup.number}` }).waitFor();
  await page.keyboard.press('Enter');
  await dialog.getByText('A ticket cannot be merged into itself.').waitFor();
  await number.fill(String(keep.number));
  await dialog.getByText(`#${keep.number} Invoice is wrong`).waitFor();
  await dialog.getByText('Requested by Priya Silva').waitFor();
  await expectNoSeriousA11yViolations(page, 'merge dialog');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Invoice is wrong', exact: true }).waitFor();
  await page.getByText(`#${dup.number} merged into #${keep.number}`).waitFor();
  expect(page.url()).toBe(`${stack.url}/tickets/${keep.id}`);
  const after = await ok(
    stack,
    admin,
    `query($s: ID!, $t: ID!) {
      source: ticket(id: $s) { status events { type fromValue toValue } messages(first: 5) { edges { node { id } } } }
      target: ticket(id: $t) { messages(first: 5) { edges { node { body } } } }
    }`,
    { s: dup.id, t: keep.id },
  );
  expect(after.source.status).toBe('closed');
  expect(after.source.events).toContainEqual({
    type: 'merged_into',
    fromValue: keep.id,
    toValue: `#${keep.number}`,
  });
  expect(after.source.messages.edges).toEqual([]);
  expect(after.target.messages.edges.map((e: any) => e.node.body)).toEqual([
    'The March invoice is wrong.',
    'Did you see my invoice mail?',
  ]);
  // the closed duplicate links to the ticket that stays
  await page.goto(`${stack.url}/tickets/${dup.id}`);
  await page.getByRole('link', { name: `#${keep.number}`, exact: true }).click();
  await page.getByRole('heading', { name: 'Invoice is wrong', exact: true }).waitFor();
});
