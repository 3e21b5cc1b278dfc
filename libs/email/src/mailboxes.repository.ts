import { Injectable } from '@nestjs/common';
import { ExpressionBuilder, sql } from 'kysely';
import { DB, Tx, conflict, db, pgCode } from '@staydesk/core';

export interface MailboxRow {
  id: string;
  name: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  passwordEnc: string;
  folder: string;
  moveTo: string | null;
  active: boolean;
  uidValidity: string | null;
  lastUid: number;
  lastPolledAt: Date | null;
  lastError: string | null;
}

/** The columns of a {@link MailboxRow} (`last_uid` is a bigint, read as a number). */
function columns(eb: ExpressionBuilder<DB, 'mailMailboxes'>) {
  return [
    'mailMailboxes.id',
    'mailMailboxes.name',
    'mailMailboxes.host',
    'mailMailboxes.port',
    'mailMailboxes.tls',
    'mailMailboxes.username',
    'mailMailboxes.passwordEnc',
    'mailMailboxes.folder',
    'mailMailboxes.moveTo',
    'mailMailboxes.active',
    'mailMailboxes.uidValidity',
    eb.cast<number>('mailMailboxes.lastUid', 'float8').as('lastUid'),
    'mailMailboxes.lastPolledAt',
    'mailMailboxes.lastError',
  ] as const;
}

/**
 * IMAP mailboxes and how far each was imported. Typed SQL (decision 46): every statement is
 * built with the typed builder ({@link db}) and checked against db.generated.ts.
 */
@Injectable()
export class MailboxesRepository {
  async list(tx: Tx): Promise<MailboxRow[]> {
    return db(tx)
      .selectFrom('mailMailboxes')
      .select(columns)
      .orderBy((eb) => eb.fn('lower', ['mailMailboxes.name']))
      .orderBy('mailMailboxes.id')
      .execute();
  }

  async activeIds(tx: Tx): Promise<string[]> {
    const rows = await db(tx)
      .selectFrom('mailMailboxes')
      .select('mailMailboxes.id')
      .where('mailMailboxes.active', '=', true)
      .orderBy('mailMailboxes.id')
      .execute();
    return rows.map((r) => r.id);
  }

  async byId(tx: Tx, id: string): Promise<MailboxRow | null> {
    const row = await db(tx)
      .selectFrom('mailMailboxes')
      .select(columns)
      .where('mailMailboxes.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async insert(
    tx: Tx,
    m: Pick<
      MailboxRow,
      'name' | 'host' | 'port' | 'tls' | 'username' | 'passwordEnc' | 'folder' | 'moveTo'
    >,
  ): Promise<MailboxRow> {
    try {
      return await db(tx)
        .insertInto('mailMailboxes')
        .values({
          name: m.name,
          host: m.host,
          port: m.port,
          tls: m.tls,
          username: m.username,
          passwordEnc: m.passwordEnc,
          folder: m.folder,
          moveTo: m.moveTo,
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (pgCode(err) === '23505')
        throw conflict(`a mailbox named "${m.name}" exists already`, { field: 'name' });
      throw err;
    }
  }

  async setActive(tx: Tx, id: string, active: boolean): Promise<MailboxRow | null> {
    const row = await db(tx)
      .updateTable('mailMailboxes')
      .set({ active, updatedAt: sql<Date>`now()` })
      .where('mailMailboxes.id', '=', id)
      .returning(columns)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Progress after each imported message: a crash re-imports at most that one (stored once anyway). */
  async progress(tx: Tx, id: string, uidValidity: string, lastUid: number): Promise<void> {
    await db(tx)
      .updateTable('mailMailboxes')
      .set({ uidValidity, lastUid, lastPolledAt: sql<Date>`now()`, lastError: null })
      .where('mailMailboxes.id', '=', id)
      .execute();
  }

  async polled(tx: Tx, id: string, error: string | null): Promise<void> {
    await db(tx)
      .updateTable('mailMailboxes')
      .set({ lastPolledAt: sql<Date>`now()`, lastError: error?.slice(0, 1000) ?? null })
      .where('mailMailboxes.id', '=', id)
      .execute();
  }
}
