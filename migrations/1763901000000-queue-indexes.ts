import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents' queues at 2M tickets: the open tickets (a few thousand) of a team, of an assignee, or
 * of everyone, newest change first. Partial indexes over open tickets only, in the queue's own
 * order, so a page is an index walk of 50 entries whatever the statistics say (the general
 * updated_at index made the planner scan past every fresh ticket of other teams).
 */
export class QueueIndexes1763901000000 implements MigrationInterface {
  name = 'QueueIndexes1763901000000';

  async up(q: QueryRunner): Promise<void> {
    const open = `WHERE status NOT IN ('solved', 'closed')`;
    await q.query(
      `CREATE INDEX tickets_open_updated_idx ON tickets (updated_at DESC, id DESC) ${open}`,
    );
    await q.query(
      `CREATE INDEX tickets_open_team_updated_idx ON tickets (team_id, updated_at DESC, id DESC) ${open}`,
    );
    await q.query(
      `CREATE INDEX tickets_open_assignee_updated_idx ON tickets (assignee_id, updated_at DESC, id DESC) ${open}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tickets_open_assignee_updated_idx`);
    await q.query(`DROP INDEX tickets_open_team_updated_idx`);
    await q.query(`DROP INDEX tickets_open_updated_idx`);
  }
}
