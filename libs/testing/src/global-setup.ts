import { execFileSync } from 'node:child_process';
import { loadConfig, prepareDatabase } from '@staydesk/core';
import {
  TEMPLATE_ENV,
  databaseUrl,
  dropStaleTestDatabases,
  uniqueName,
  withAdmin,
} from './test-database';

/**
 * Once per e2e run: build dist/ (tests that spawn real processes run it), migrate a template
 * database, and publish its name to the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.STAYDESK_SKIP_BUILD) {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  }
  await dropStaleTestDatabases();
  const template = uniqueName('staydesk_tpl_');
  await withAdmin((c) => c.query(`CREATE DATABASE "${template}"`));
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl(template) });
  await prepareDatabase(config, { run: true });
  process.env[TEMPLATE_ENV] = template;
}
