import 'reflect-metadata';
import { resolve } from 'node:path';
import { loadConfig, prepareDatabase } from '@staydesk/core';
import { createApi } from '../apps/api/src/bootstrap';

/**
 * `npm run schema:emit`: boots the api once (without listening) so the code-first schema is
 * written to schema.graphql, then exits. Commit the result; an e2e test fails when it is stale.
 */
async function main() {
  const config = loadConfig({ ...process.env, SCHEMA_FILE: 'schema.graphql', LOG_LEVEL: 'warn' });
  await prepareDatabase(config);
  const app = await createApi(config);
  await app.init();
  await app.close();
  console.log(`wrote ${resolve('schema.graphql')}`);
}

main().catch((err: Error) => {
  process.stderr.write(`schema:emit: ${err.message}\n`);
  process.exit(1);
});
