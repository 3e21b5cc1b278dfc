import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig, readSchemaColumns, renderSchemaTypes } from '@staydesk/core';

/**
 * `npm run db:types`: regenerates libs/core/src/database/db.generated.ts from the database in
 * DATABASE_URL (migrate it first: `npm run migrate`). Checked current by
 * libs/core/src/database/schema-types.medium-spec.ts.
 */
const file = join(__dirname, '..', '..', 'libs', 'core', 'src', 'database', 'db.generated.ts');

async function main() {
  const config = loadConfig(process.env);
  const client = new Client({ connectionString: config.database.url });
  await client.connect();
  const tx = {
    query: async <T>(text: string): Promise<T> => (await client.query(text)).rows as T,
  };
  try {
    writeFileSync(file, renderSchemaTypes(await readSchemaColumns(tx)));
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await client.end();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`db:types: ${err.message}\n`);
  process.exit(1);
});
