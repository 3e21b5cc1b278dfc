export { CONFIG_VARIABLES, ConfigError, describeDatabaseUrl, loadConfig } from './config/config';
export type { AppConfig } from './config/config';
export { APP_CONFIG } from './config/config.module';
export {
  DatabaseStartupError,
  ensureDatabaseExists,
  prepareDatabase,
} from './database/prepare-database';
export { SnakeNamingStrategy } from './database/snake-naming.strategy';
export {
  DomainError,
  badInput,
  conflict,
  forbidden,
  notFound,
  unauthenticated,
} from './errors/domain-error';
export { createGraphqlErrorFormatter, isUnavailable } from './errors/graphql-error-formatter';
export { requestId } from './logging/logging.module';
export { ConnectionType, pagedComplexity, toConnection } from './pagination/connection';
export type { Connection } from './pagination/connection';
export { decodeCursor, encodeCursor, pageSize } from './pagination/cursor';
export type { CursorValue } from './pagination/cursor';
export { QUEUES } from './queue/jobs';
export type { JobData, JobName, JobNamesOf } from './queue/jobs';
export { JobPublisher } from './queue/job-publisher';
export { JobWindows, windowJobId, windowOf } from './queue/job-windows';
export type { WindowJobName } from './queue/job-windows';
export { checkPayload, payloadIds, runJob } from './queue/job-runner';
export type { Handlers } from './queue/job-runner';
export { redisOptionsFromUrl } from './redis/redis-options';
export { REDIS_CLIENT } from './redis/redis.module';
export { PlatformModule } from './platform/platform.module';
export { SystemModule } from './system/system.module';
export { SystemService } from './system/system.service';
export { runProcess } from './process/run-process';
export { AuditRepository } from './audit/audit.repository';
export type { AuditAction } from './audit/audit-actions';
export { sqlQueryCounter } from './database/query-counter';
export { copyInto, copyLine, copyToClient, copyValue } from './database/copy';
export { TransactionRunner, pgCode, pgConstraint, returnedRows } from './database/transaction';
export type { Tx } from './database/transaction';
export { Loaders, RequestLoaders, byIdLoader, groupLoader } from './graphql/request-loaders';
export type { LoaderFactory } from './graphql/request-loaders';
export { GraphQLJSONObject } from './graphql/json-object.scalar';
export { jsonRow, preload, selectedFields, usePreloaded } from './graphql/preloaded';
export { CHANNELS, PRIORITIES, RISK_BANDS, TIERS, VALUE_SEGMENTS } from './vocabulary/vocabulary';
export type { Channel, Priority, RiskBand, Tier, ValueSegment } from './vocabulary/vocabulary';
export {
  BandEnum,
  ChannelEnum,
  PriorityEnum,
  TierEnum,
  ValueSegmentEnum,
  enumOf,
} from './vocabulary/vocabulary.enums';
export { RateLimiter } from './rate-limit/rate-limiter';
export { Keyset } from './pagination/keyset';
export { containsPattern, escapeLike, searchText } from './text/search-text';
export { compileOnly, compileWithSlots, db, withParameters } from './database/typed-sql';
export { named } from './database/named-statements';
export { readSchemaColumns, renderSchemaTypes } from './database/schema-types';
export type { DB } from './database/db.generated';
export { UsageError, cliArgs, cliLine, runCli, wholeNumber } from './process/cli';
export { Coalescer } from './process/coalescer';
