import { resolve } from 'node:path';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { Logger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  createGraphqlErrorFormatter,
  PlatformModule,
  RequestLoaders,
  SystemModule,
  usePreloaded,
} from '@staydesk/core';
import { AttachmentsApiModule } from '@staydesk/attachments';
import { AutomationsApiModule } from '@staydesk/automations';
import { CustomersApiModule } from '@staydesk/customers';
import { EmailApiModule } from '@staydesk/email';
import { FollowUpsApiModule } from '@staydesk/followups';
import { ImportApiModule } from '@staydesk/import';
import { PrivacyApiModule } from '@staydesk/privacy';
import { RiskApiModule } from '@staydesk/risk';
import { KpisApiModule } from '@staydesk/kpis';
import { LiveApiModule, LiveGateway } from '@staydesk/live';
import { RetentionApiModule } from '@staydesk/retention';
import { SurveysApiModule } from '@staydesk/surveys';
import { IdentityApiModule } from '@staydesk/identity';
import { ObservabilityApiModule, graphqlMetricsPlugin } from '@staydesk/observability';
import { TicketsApiModule } from '@staydesk/tickets';
import { ValueApiModule } from '@staydesk/value';
import { HealthController } from './health/health.controller';
import { complexityLimit, depthLimit } from './graphql/limits';
import { GraphqlPassThroughFilter } from './graphql/graphql-exception.filter';
import { SqlCountMiddleware, sqlCountPlugin } from './graphql/sql-count';
import { SystemResolver } from './graphql/system.resolver';
import { unavailableStatusPlugin } from './graphql/unavailable';

/** The HTTP process: GraphQL at /graphql, health at /health/*. Registers no job processors. */
@Module({})
export class ApiModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config),
        SystemModule,
        TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [LiveApiModule],
          inject: [APP_CONFIG, Logger, ModuleRef, LiveGateway],
          useFactory: (
            cfg: AppConfig,
            logger: Logger,
            moduleRef: ModuleRef,
            live: LiveGateway,
          ) => ({
            path: '/graphql',
            autoSchemaFile: cfg.graphql.schemaFile ? resolve(cfg.graphql.schemaFile) : true,
            sortSchema: true,
            // relations a list read with its rows skip their field resolvers (the queue page)
            transformSchema: usePreloaded,
            playground: false,
            introspection: cfg.env !== 'production',
            // no "Did you mean …" in production: suggestions reveal the schema without introspection
            hideSchemaDetailsFromClientErrors: cfg.env === 'production',
            autoTransformHttpErrors: false,
            includeStacktraceInErrorResponses: false,
            allowBatchedHttpRequests: false,
            // our own plugin decides the status (503 for outages); Nest's would force 200
            preserveHttpStatusForExecutionErrors: false,
            formatError: createGraphqlErrorFormatter(logger, {
              hideSuggestions: cfg.env === 'production',
            }),
            validationRules: [depthLimit(cfg.graphql.maxDepth)],
            context: (req: unknown, reply: unknown) => ({
              req,
              reply,
              loaders: new RequestLoaders(moduleRef),
            }),
            // live updates: graphql-ws on the same path (docs/architecture.md, "Live updates")
            subscriptions: {
              'graphql-ws': live.serverOptions(createGraphqlErrorFormatter(logger)),
            },
            plugins: [
              // Apollo installs cache control by default: a hook on every resolved field (and
              // the per-field instrumentation that comes with it) for cache hints nobody reads
              ApolloServerPluginCacheControlDisabled(),
              complexityLimit(cfg.graphql.maxComplexity),
              unavailableStatusPlugin,
              graphqlMetricsPlugin,
              ...(cfg.graphql.exposeSqlCount ? [sqlCountPlugin] : []),
              ...(cfg.env !== 'production' ? [ApolloServerPluginLandingPageLocalDefault()] : []),
            ],
          }),
        }),
        IdentityApiModule,
        CustomersApiModule,
        TicketsApiModule,
        FollowUpsApiModule,
        SurveysApiModule,
        RiskApiModule,
        ImportApiModule,
        KpisApiModule,
        RetentionApiModule,
        PrivacyApiModule,
        LiveApiModule,
        ObservabilityApiModule,
        ValueApiModule,
        EmailApiModule,
        AttachmentsApiModule,
        AutomationsApiModule,
      ],
      controllers: [HealthController],
      providers: [
        SystemResolver,
        {
          provide: APP_FILTER,
          inject: [HttpAdapterHost],
          useFactory: (host: HttpAdapterHost) =>
            new GraphqlPassThroughFilter(host.httpAdapter, config.http.bodyLimitBytes),
        },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(SqlCountMiddleware).forRoutes('graphql');
  }
}
