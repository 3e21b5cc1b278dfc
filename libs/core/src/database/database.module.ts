import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MIGRATIONS } from '@staydesk/migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * The TypeORM connection. Entities are registered by each domain module (`forFeature`);
 * migrations are applied before the app boots (see `prepareDatabase`), never `synchronize`.
 */
@Module({
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
        retryAttempts: 2,
        retryDelay: 500,
        extra: {
          max: config.database.poolSize,
          connectionTimeoutMillis: 5000,
          idleTimeoutMillis: 30_000,
          statement_timeout: config.database.statementTimeoutMs || undefined,
        },
      }),
    }),
  ],
})
export class DatabaseModule {}
