import 'reflect-metadata';
import {
  AppConfig,
  ensureDatabaseExists,
  loadConfig,
  prepareDatabase,
  runCli,
} from '@staydesk/core';

const USAGE = 'usage: migration:run';

/**
 * Creates the database if needed and applies pending migrations, saying what it did (`npm run
 * migration:run`, and `npm start` before it starts the processes).
 */
export async function migrate(config: AppConfig, say: (line: string) => void): Promise<void> {
  if (await ensureDatabaseExists(config.database.url)) say('created the database');
  const { applied, known } = await prepareDatabase(config, { run: true });
  say(
    applied.length > 0
      ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
      : `schema is up to date (${known} migrations)`,
  );
}

/** `npm run migration:run`. */
async function main() {
  await migrate(loadConfig(process.env), (line) => console.log(line));
}

if (require.main === module) runCli('migration:run', USAGE, main);
