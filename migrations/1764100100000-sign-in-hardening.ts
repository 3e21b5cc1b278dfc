import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in hardening:
 * - `login_failures`: failed sign-ins counted per account and client address, so guessing from
 *   one address locks that address out of that account, not the owner signing in elsewhere.
 *   The per-account columns `users.failed_logins` and `users.locked_until` are no longer used.
 * - `users.token_version`: part of every token; a password change (own or by an admin) bumps it,
 *   so tokens issued before the change stop working at once.
 */
export class SignInHardening1764100100000 implements MigrationInterface {
  name = 'SignInHardening1764100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_failures (
        user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        client        text NOT NULL,
        failures      integer NOT NULL DEFAULT 0,
        locked_until  timestamptz,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, client)
      )`);
    await q.query(`CREATE INDEX login_failures_updated_idx ON login_failures (updated_at)`);
    await q.query(`ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE users SET failed_logins = 0, locked_until = NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN token_version`);
    await q.query(`DROP TABLE login_failures`);
  }
}
