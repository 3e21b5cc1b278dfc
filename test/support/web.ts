import { existsSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import type { Browser } from '../../scripts/browser';
import { PASSWORD } from './factories';

/**
 * What the browser specs (test/e2e/web-*) share: the check that the console is built, the first
 * tab, signing in through the form, axe, and finding a Mantine field by its label.
 */

/** The api serves apps/web/dist: without `npm run build:web` every page would be a 404. */
export function assertWebBuilt(): void {
  if (!existsSync(join(__dirname, '..', '..', 'apps', 'web', 'dist', 'index.html')))
    throw new Error('the web console is not built: run "npm run build:web" first');
}

/** The tab a launched browser opens with (or a new one). */
export async function firstPage(browser: Browser): Promise<Page> {
  return browser.context.pages()[0] ?? (await browser.context.newPage());
}

/**
 * Opens `url` signed out (the sign-in page, or a page that sends there), signs in as `email`
 * with the factories' password, and submits; the caller waits for the page it lands on.
 */
export async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The part of the page's `document` the animation wait reads. */
interface AnimatedDocument {
  getAnimations(): {
    playState: string;
    effect: { getTiming(): { iterations?: number } } | null;
  }[];
}

/**
 * axe on the page as it is now: no serious or critical violation, each named in the failure. A
 * toast that starts fading in or out between the animation wait and axe's walk is caught at the
 * contrast of its half-transparent self, so a failing walk is repeated once the page has settled
 * again: a real violation is there both times, a moment of a transition is not.
 */
export async function expectNoSeriousA11yViolations(page: Page, name: string): Promise<void> {
  let serious: string[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await page.waitForTimeout(500);
    // a dialog fading in has, for a moment, the contrast of its half-transparent self; endless
    // animations (a spinner) never finish and are let be
    await page.waitForFunction(() => {
      // (this file is compiled without the DOM's types; the page's CSP forbids a string to eval)
      const { document } = globalThis as { document?: AnimatedDocument };
      return document!
        .getAnimations()
        .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity);
    });
    const result = await new AxeBuilder({ page }).analyze();
    serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
    if (serious.length === 0) break;
  }
  expect({ page: name, serious }).toEqual({ page: name, serious: [] });
}

/** A form field by its label, whether Mantine renders it as a textbox or a combobox. */
export const field = (scope: Page | Locator, name: string, options: { exact?: boolean } = {}) =>
  scope
    .getByRole('combobox', { name, ...options })
    .or(scope.getByRole('textbox', { name, ...options }));
