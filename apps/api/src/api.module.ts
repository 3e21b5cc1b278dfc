import { resolve } from 'node:path';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { Logger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  ConfigModule,
  DatabaseModule,
  LoggingModule,
  RedisModule,
  SystemModule,
  createGraphqlErrorFormatter,
} from '@staydesk/core';
import { HealthController } from './health/health.controller';
import { SystemResolver } from './graphql/system.resolver';

/** The HTTP process: GraphQL at /graphql, health at /health/*. Registers no job processors. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        DatabaseModule,
        RedisModule,
        SystemModule,
        TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [APP_CONFIG, Logger],
          useFactory: (cfg: AppConfig, logger: Logger) => ({
            path: '/graphql',
            autoSchemaFile: cfg.graphql.schemaFile ? resolve(cfg.graphql.schemaFile) : true,
            sortSchema: true,
            playground: false,
            introspection: cfg.env !== 'production',
            autoTransformHttpErrors: false,
            includeStacktraceInErrorResponses: false,
            formatError: createGraphqlErrorFormatter(logger),
            plugins: cfg.env !== 'production' ? [ApolloServerPluginLandingPageLocalDefault()] : [],
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [SystemResolver],
    };
  }
}
