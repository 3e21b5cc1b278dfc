import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { sql } from 'kysely';
import { DataSource } from 'typeorm';
import { db } from '../database/typed-sql';

export interface WorkerPulse {
  workerId: string;
  seenAt: Date;
  jobsDone: number;
}

/**
 * Health and worker heartbeats, on the pool. The typed query builder ({@link db}) for
 * `worker_heartbeats`; `migrations` is TypeORM's own table (not in `db.generated.ts`), read with
 * a `sql` template and a row type.
 */
@Injectable()
export class SystemRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The typed builder on the pool. */
  private get k() {
    return db(this.ds.manager);
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.k);
  }

  async schemaVersion(): Promise<string | null> {
    const { rows } = await sql<{ name: string }>`
      SELECT name FROM migrations ORDER BY id DESC LIMIT 1`.execute(this.k);
    return rows[0]?.name ?? null;
  }

  async recordHeartbeat(workerId: string, startedAt: Date): Promise<WorkerPulse> {
    return this.k
      .insertInto('workerHeartbeats')
      .values({ workerId, seenAt: sql<Date>`now()`, startedAt, jobsDone: 1 })
      .onConflict((oc) =>
        oc.column('workerId').doUpdateSet((eb) => ({
          seenAt: sql<Date>`now()`,
          startedAt: eb.ref('excluded.startedAt'),
          jobsDone: eb(eb.ref('workerHeartbeats.jobsDone'), '+', 1),
        })),
      )
      .returning([
        'workerHeartbeats.workerId',
        'workerHeartbeats.seenAt',
        'workerHeartbeats.jobsDone',
      ])
      .executeTakeFirstOrThrow();
  }

  async latestHeartbeat(): Promise<WorkerPulse | null> {
    const row = await this.k
      .selectFrom('workerHeartbeats')
      .select(['workerHeartbeats.workerId', 'workerHeartbeats.seenAt', 'workerHeartbeats.jobsDone'])
      .orderBy('workerHeartbeats.seenAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  async pruneHeartbeats(olderThanSeconds: number): Promise<number> {
    const result = await this.k
      .deleteFrom('workerHeartbeats')
      .where(
        'workerHeartbeats.seenAt',
        '<',
        sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`,
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
