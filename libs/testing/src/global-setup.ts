import { execFileSync } from 'node:child_process';
// Deliberately not '@staydesk/core': globalSetup runs in Jest's parent process, which also runs
// the tests in-band on small machines; loading @nestjs/graphql here would register GraphQL type
// metadata against another VM context's built-ins and break every schema built by the tests
// ("Cannot determine a GraphQL output type", nestjs/graphql#3356).
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- see above
import { loadConfig } from '../../core/src/config/config';
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- see above
import { prepareDatabase } from '../../core/src/database/prepare-database';
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
  // The medium and e2e projects share one template (Jest runs each project's global setup in
  // this same process).
  if (process.env[TEMPLATE_ENV]) return;
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
