import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig, readSchemaColumns, renderSchemaTypes } from '@staydesk/core';

/**
 * `npm run db:types`: regenerates libs/core/src/database/db.generated.ts from the database in
 * DATABASE_URL (migrate it first: `npm run migrate`). Checked current by
 * libs/core/src/database/schema-types.medium-spec.ts.
 */
const file = join(__dirname, '..', '..', 'libs', 'core', 'src', 'database', 'db.generated.ts');

async function main() {
  const config = loadConfig(process.env);
  const ds = new DataSource({ type: 'postgres', url: config.database.url });
  await ds.initialize();
  try {
    writeFileSync(file, renderSchemaTypes(await readSchemaColumns(ds.manager)));
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`db:types: ${err.message}\n`);
  process.exit(1);
});
