import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version counter for the active automation rules (issue 18): every statement that writes
 * `automation_rules` bumps `automation_rules_state.version` in the same transaction (a
 * statement trigger, so saves, reorders, deletes and direct SQL all count). Each api process
 * caches the rules with their editors and re-reads them only when the counter moved (a change
 * of a user's name, role, team or active flag moves it too): one primary-key read per change
 * instead of reading and parsing every active rule.
 */
export class AutomationRulesVersion1765950000000 implements MigrationInterface {
  name = 'AutomationRulesVersion1765950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE automation_rules_state (
        id      boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL DEFAULT 1
      )`);
    await q.query(`INSERT INTO automation_rules_state (id, version) VALUES (true, 1)`);
    await q.query(`
      CREATE FUNCTION automation_rules_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE automation_rules_state SET version = version + 1 WHERE id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER automation_rules_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON automation_rules
        FOR EACH STATEMENT EXECUTE FUNCTION automation_rules_bump_version()`);
    // the cache holds each rule's last editor (the user it acts as): a change to what makes a
    // user able to act (name, role, team, active) invalidates it too
    await q.query(`
      CREATE TRIGGER automation_rule_editors_version
        AFTER UPDATE OF name, role, team_id, active OR DELETE ON users
        FOR EACH STATEMENT EXECUTE FUNCTION automation_rules_bump_version()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER automation_rule_editors_version ON users`);
    await q.query(`DROP TRIGGER automation_rules_version ON automation_rules`);
    await q.query(`DROP FUNCTION automation_rules_bump_version()`);
    await q.query(`DROP TABLE automation_rules_state`);
  }
}
