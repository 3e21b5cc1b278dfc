import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../redis/redis.module';
import { SystemRepository, WorkerPulse } from './system.repository';

export type DependencyState = 'up' | 'down';

export interface SystemStatus {
  database: DependencyState;
  redis: DependencyState;
  schemaVersion: string | null;
  lastWorkerHeartbeat: WorkerPulse | null;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);

@Injectable()
export class SystemService {
  readonly workerId = `${hostname()}:${process.pid}`;
  private readonly startedAt = new Date();

  constructor(
    private readonly repo: SystemRepository,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async checkDatabase(timeoutMs = 2000): Promise<void> {
    await withTimeout(this.repo.ping(), timeoutMs);
  }

  async checkRedis(timeoutMs = 2000): Promise<void> {
    const pong = await withTimeout(this.redis.ping(), timeoutMs);
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
  }

  async status(): Promise<SystemStatus> {
    const [db, redis] = await Promise.allSettled([this.checkDatabase(), this.checkRedis()]);
    const database: DependencyState = db.status === 'fulfilled' ? 'up' : 'down';
    return {
      database,
      redis: redis.status === 'fulfilled' ? 'up' : 'down',
      schemaVersion: database === 'up' ? await this.repo.schemaVersion() : null,
      lastWorkerHeartbeat: database === 'up' ? await this.repo.latestHeartbeat() : null,
    };
  }

  /** Called by the worker's `system.*` jobs: proves this worker takes jobs and can write. */
  async heartbeat(): Promise<WorkerPulse> {
    return this.repo.recordHeartbeat(this.workerId, this.startedAt);
  }

  /** Forgets workers that have been silent for a day (scaled-down or crashed processes). */
  async pruneHeartbeats(): Promise<number> {
    return this.repo.pruneHeartbeats(24 * 3600);
  }
}
