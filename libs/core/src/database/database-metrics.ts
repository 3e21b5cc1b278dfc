import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Metrics, addMetricsSource } from '@staydesk/telemetry';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { statementName } from './named-statements';

/**
 * The pg client class of the pool: times every statement into
 * `staydesk_db_query_duration_seconds` (the pool creates its clients from it; TypeORM only
 * reports slow queries, with millisecond resolution), and sends the statements registered in
 * `named-statements.ts` under their names (prepared once per connection).
 */
export class TimedPgClient extends Client {}
(TimedPgClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query =
  function timedQuery(this: Client, ...args: unknown[]) {
    const end = Metrics.dbQueryDuration.startTimer();
    // TypeORM calls query(text, values): a registered text goes as { name, text } (pg fills in
    // the values from the second argument)
    const name = typeof args[0] === 'string' ? statementName(args[0]) : undefined;
    if (name) args[0] = { name, text: args[0] };
    // the prototype's query at call time (tracing may have wrapped it)
    const result = (Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => end(),
        () => end(),
      );
    }
    return result;
  };

/** Reads the pool's use (total, idle, waiting) at every scrape. */
@Injectable()
export class DatabaseMetrics implements OnModuleInit, OnModuleDestroy {
  private remove?: () => void;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    Metrics.dbPoolMax.set(this.config.database.poolSize);
    this.remove = addMetricsSource('pool', () => {
      const pool = (this.ds.driver as unknown as { master?: Pool }).master;
      if (!pool) return;
      Metrics.dbPool.set({ state: 'total' }, pool.totalCount);
      Metrics.dbPool.set({ state: 'idle' }, pool.idleCount);
      Metrics.dbPool.set({ state: 'waiting' }, pool.waitingCount);
    });
  }

  onModuleDestroy(): void {
    this.remove?.();
  }
}
