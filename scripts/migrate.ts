import 'reflect-metadata';
import {
  ConfigError,
  DatabaseStartupError,
  ensureDatabaseExists,
  loadConfig,
  prepareDatabase,
} from '@staydesk/core';

/** `npm run migration:run`: creates the database if needed and applies pending migrations. */
async function main() {
  const config = loadConfig(process.env);
  if (await ensureDatabaseExists(config.database.url)) console.log('created the database');
  const { applied, known } = await prepareDatabase(config, { run: true });
  console.log(
    applied.length > 0
      ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
      : `schema is up to date (${known} migrations)`,
  );
}

main().catch((err: Error) => {
  const known = err instanceof ConfigError || err instanceof DatabaseStartupError;
  process.stderr.write(`migration:run: ${known ? err.message : err.stack}\n`);
  process.exit(1);
});
