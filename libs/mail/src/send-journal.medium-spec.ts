import { sql } from 'kysely';
import { PinoLogger } from 'nestjs-pino';
import { db, loadConfig } from '@staydesk/core';
import { MediumDatabase, databaseUrl, fixtures, mediumDatabase } from '@staydesk/testing';
import { SendJournal } from './send-journal';

/** The send journal's marks on its own connections (synchronous_commit off), typed or as text. */
describe('SendJournal (medium)', () => {
  let m: MediumDatabase;
  let journal: SendJournal;
  let team: string;

  beforeAll(async () => {
    m = await mediumDatabase();
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(
      db(m.db),
    );
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl(rows[0].name) });
    journal = new SendJournal(config, new PinoLogger({ pinoHttp: { level: 'silent' } }));
    team = await fixtures(m.db).team({ name: 'Journal' });
  });
  afterAll(async () => {
    await journal.onApplicationShutdown();
    await m.close();
  });

  const name = async () =>
    (
      await db(m.db)
        .selectFrom('teams')
        .select('name')
        .where('id', '=', team)
        .executeTakeFirstOrThrow()
    ).name;

  it('runs a typed mark on a connection with synchronous_commit off', async () => {
    await journal.mark((k) =>
      k
        .updateTable('teams')
        .set({ name: sql<string>`'typed ' || current_setting('synchronous_commit')` })
        .where('teams.id', '=', team),
    );
    expect(await name()).toBe('typed off');
  });

  it('runs a mark given as SQL text with parameters, and never throws', async () => {
    await journal.mark(`UPDATE teams SET mail_from_name = $2, name = $3 WHERE id = $1`, [
      team,
      'x',
      'text mark',
    ]);
    expect(await name()).toBe('text mark');
    await expect(journal.mark('UPDATE no_such_table SET x = 1', [])).resolves.toBeUndefined();
  });
});
