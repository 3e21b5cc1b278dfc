import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cached automation rules carry their editors' teams, which now live in `user_teams`
 * (several teams per user): a membership change must move the rules' version counter like a
 * change of the editor's row does (merge of issue 17's memberships with issue 18's rules cache).
 */
export class RulesVersionMemberships1765990000000 implements MigrationInterface {
  name = 'RulesVersionMemberships1765990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER automation_rule_editor_teams_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_teams
        FOR EACH STATEMENT EXECUTE FUNCTION automation_rules_bump_version()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER automation_rule_editor_teams_version ON user_teams`);
  }
}
