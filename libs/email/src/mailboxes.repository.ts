import { Injectable } from '@nestjs/common';
import { Tx, conflict, pgCode, returnedRows } from '@staydesk/core';

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

const COLUMNS = `id::text, name, host, port, tls, username, password_enc AS "passwordEnc", folder, move_to AS "moveTo",
  active, uid_validity AS "uidValidity", last_uid::float8 AS "lastUid", last_polled_at AS "lastPolledAt", last_error AS "lastError"`;

/** IMAP mailboxes and how far each was imported. */
@Injectable()
export class MailboxesRepository {
  async list(tx: Tx): Promise<MailboxRow[]> {
    return tx.query(`SELECT ${COLUMNS} FROM mail_mailboxes ORDER BY lower(name), id`);
  }

  async activeIds(tx: Tx): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM mail_mailboxes WHERE active ORDER BY mail_mailboxes.id`,
    );
    return rows.map((r) => r.id);
  }

  async byId(tx: Tx, id: string): Promise<MailboxRow | null> {
    const rows: MailboxRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM mail_mailboxes WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async insert(
    tx: Tx,
    m: Pick<
      MailboxRow,
      'name' | 'host' | 'port' | 'tls' | 'username' | 'passwordEnc' | 'folder' | 'moveTo'
    >,
  ): Promise<MailboxRow> {
    try {
      const rows: MailboxRow[] = await tx.query(
        `INSERT INTO mail_mailboxes (name, host, port, tls, username, password_enc, folder, move_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [m.name, m.host, m.port, m.tls, m.username, m.passwordEnc, m.folder, m.moveTo],
      );
      return rows[0];
    } catch (err) {
      if (pgCode(err) === '23505')
        throw conflict(`a mailbox named "${m.name}" exists already`, { field: 'name' });
      throw err;
    }
  }

  async setActive(tx: Tx, id: string, active: boolean): Promise<MailboxRow | null> {
    const rows = returnedRows<MailboxRow>(
      await tx.query(
        `UPDATE mail_mailboxes SET active = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, active],
      ),
    );
    return rows[0] ?? null;
  }

  /** Progress after each imported message: a crash re-imports at most that one (stored once anyway). */
  async progress(tx: Tx, id: string, uidValidity: string, lastUid: number): Promise<void> {
    await tx.query(
      `UPDATE mail_mailboxes SET uid_validity = $2, last_uid = $3, last_polled_at = now(), last_error = NULL
        WHERE id = $1`,
      [id, uidValidity, lastUid],
    );
  }

  async polled(tx: Tx, id: string, error: string | null): Promise<void> {
    await tx.query(
      `UPDATE mail_mailboxes SET last_polled_at = now(), last_error = $2 WHERE id = $1`,
      [id, error?.slice(0, 1000) ?? null],
    );
  }
}
