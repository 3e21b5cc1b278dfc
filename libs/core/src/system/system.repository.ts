import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface WorkerPulse {
  workerId: string;
  seenAt: Date;
  jobsDone: number;
}

@Injectable()
export class SystemRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async schemaVersion(): Promise<string | null> {
    const rows: { name: string }[] = await this.db.query(
      'SELECT name FROM migrations ORDER BY id DESC LIMIT 1',
    );
    return rows[0]?.name ?? null;
  }

  async recordHeartbeat(workerId: string, startedAt: Date): Promise<WorkerPulse> {
    const rows: { worker_id: string; seen_at: Date; jobs_done: number }[] = await this.db.query(
      `INSERT INTO worker_heartbeats (worker_id, seen_at, started_at, jobs_done)
       VALUES ($1, now(), $2, 1)
       ON CONFLICT (worker_id) DO UPDATE
         SET seen_at = now(), started_at = EXCLUDED.started_at, jobs_done = worker_heartbeats.jobs_done + 1
       RETURNING worker_id, seen_at, jobs_done`,
      [workerId, startedAt],
    );
    const r = rows[0];
    return { workerId: r.worker_id, seenAt: r.seen_at, jobsDone: r.jobs_done };
  }

  async latestHeartbeat(): Promise<WorkerPulse | null> {
    const rows: { worker_id: string; seen_at: Date; jobs_done: number }[] = await this.db.query(
      'SELECT worker_id, seen_at, jobs_done FROM worker_heartbeats ORDER BY seen_at DESC LIMIT 1',
    );
    const r = rows[0];
    return r ? { workerId: r.worker_id, seenAt: r.seen_at, jobsDone: r.jobs_done } : null;
  }

  async pruneHeartbeats(olderThanSeconds: number): Promise<number> {
    const result: [unknown[], number] = await this.db.query(
      `DELETE FROM worker_heartbeats WHERE seen_at < now() - make_interval(secs => $1)`,
      [olderThanSeconds],
    );
    return result[1];
  }
}
