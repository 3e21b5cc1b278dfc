import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several teams per user (issue 17, admins): `user_teams` holds the memberships, backfilled from
 * `users.team_id`, which stays as the user's home team (the default of "my team" views and of
 * new team views). A trigger keeps the home team a membership for every writer (the service, the
 * simulation's bulk staff, tests that insert users directly).
 *
 * Password reset by link: `password_resets` keeps the SHA-256 of each signed token, its expiry
 * and when it was used; the token itself is only in the mail.
 */
export class TeamMemberships1765910000000 implements MigrationInterface {
  name = 'TeamMemberships1765910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_teams (
        user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        team_id    bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, team_id)
      )`);
    // "who is in team X" (assignment candidates, the users filter)
    await q.query(`CREATE INDEX user_teams_team_idx ON user_teams (team_id, user_id)`);
    await q.query(
      `INSERT INTO user_teams (user_id, team_id) SELECT id, team_id FROM users WHERE team_id IS NOT NULL`,
    );
    await q.query(`
      CREATE FUNCTION user_home_team_membership() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO user_teams (user_id, team_id) VALUES (NEW.id, NEW.team_id) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER users_home_team_membership
        AFTER INSERT OR UPDATE OF team_id ON users
        FOR EACH ROW WHEN (NEW.team_id IS NOT NULL)
        EXECUTE FUNCTION user_home_team_membership()`);

    await q.query(`
      CREATE TABLE password_resets (
        id           bigserial PRIMARY KEY,
        user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash   bytea,
        expires_at   timestamptz NOT NULL,
        used_at      timestamptz,
        requested_by bigint REFERENCES users (id) ON DELETE SET NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE password_resets`);
    await q.query(`DROP TRIGGER users_home_team_membership ON users`);
    await q.query(`DROP FUNCTION user_home_team_membership()`);
    await q.query(`DROP TABLE user_teams`);
  }
}
