import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MIGRATIONS } from '@staydesk/migrations';
import { QueryCountingLogger } from './query-counter';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TransactionRunner } from './transaction';
import { AuditRepository } from '../audit/audit.repository';
import { DatabaseMetrics, TimedPgClient } from './database-metrics';

/**
 * The TypeORM connection. Entities are registered by each domain module (`forFeature`);
 * migrations are applied before the app boots (see `prepareDatabase`), never `synchronize`.
 */
@Global()
@Module({
  providers: [TransactionRunner, AuditRepository, DatabaseMetrics],
  exports: [TransactionRunner, AuditRepository],
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        type: 'postgres' as const,
        url: config.database.url,
        applicationName: 'staydesk',
        autoLoadEntities: true,
        synchronize: false,
        migrationsRun: false,
        migrations: MIGRATIONS,
        namingStrategy: new SnakeNamingStrategy(),
        logger: new QueryCountingLogger(),
        logging: ['query' as const],
        retryAttempts: 2,
        retryDelay: 500,
        extra: {
          max: config.database.poolSize,
          connectionTimeoutMillis: 5000,
          idleTimeoutMillis: 30_000,
          statement_timeout: config.database.statementTimeoutMs || undefined,
          Client: TimedPgClient,
        },
      }),
    }),
  ],
})
export class DatabaseModule {}
