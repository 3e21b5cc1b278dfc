import { z } from 'zod';

/**
 * The environment variables the configuration reads, with their parsing and defaults (zod);
 * `loadConfig` (config.ts) checks what spans variables and shapes the result (`AppConfig`).
 */

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (!/^-?\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number' });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const url = (protocols: string[], fallback?: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v === '' ? fallback : v;
      if (value === undefined) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a URL (${protocols.join(' or ')}//…)` });
        return z.NEVER;
      }
      if (!protocols.includes(parsed.protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `must use ${protocols.join(' or ')} (got ${parsed.protocol})`,
        });
        return z.NEVER;
      }
      if (!parsed.hostname && parsed.protocol !== 'file:') {
        ctx.addIssue({ code: 'custom', message: 'has no host name' });
        return z.NEVER;
      }
      return value;
    });

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/staydesk'),
  DATABASE_POOL_SIZE: int(10, 1, 500),
  DATABASE_STATEMENT_TIMEOUT_MS: int(30_000, 0, 3_600_000),
  MIGRATIONS_RUN: bool(true),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:{}_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, : { } _ . -')
    .default('staydesk'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(3000, 0, 65535),
  PUBLIC_URL: url(['http:', 'https:']),
  JWT_SECRET: z.string().optional(),
  JWT_SECRET_FILE: z.string().min(1).default('var/jwt-secret'),
  JWT_TTL_SECONDS: int(12 * 3600, 60, 30 * 24 * 3600),
  SMTP_URL: url(['smtp:', 'smtps:']),
  MAIL_FROM: z.string().min(3).default('Staydesk Support <support@staydesk.local>'),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  /** Pooled SMTP connections per worker process. */
  SMTP_CONNECTIONS: int(8, 1, 100),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool(false),
  SCHEMA_FILE: z.string().optional(),
  CORS_ORIGINS: z.string().optional(),
  WEB_DIR: z.string().min(1).default('apps/web/dist'),
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 64 * 1_048_576),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  WORKER_CONCURRENCY: int(10, 1, 500),
  EXPOSE_SQL_COUNT: bool(false),
  GRAPHQL_MAX_DEPTH: int(10, 2, 50),
  GRAPHQL_MAX_COMPLEXITY: int(5000, 10, 1_000_000),
  LOGIN_MAX_FAILURES: int(5, 1, 100),
  OUTBOX_RELAY: bool(true),
  OUTBOX_POLL_MS: int(2000, 50, 600_000),
  CSAT_DELAY_SECONDS: int(3600, 0, 30 * 86400),
  SURVEY_THROTTLE_DAYS: int(7, 0, 365),
  SURVEY_EXPIRY_DAYS: int(14, 1, 365),
  SURVEY_REMINDER_SECONDS: int(3 * 86400, 0, 60 * 86400),
  NPS_PERIOD_DAYS: int(90, 1, 3650),
  NPS_BATCH_SIZE: int(1000, 1, 100_000),
  SURVEY_CONCURRENCY: int(100, 1, 1000),
  SURVEY_TOKEN_SECRET: z.string().optional(),
  RISK_WEIGHTS: z.string().optional(),
  RISK_BANDS: z
    .string()
    .regex(
      /^\s*\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*$/,
      'must be three numbers like 25,50,75',
    )
    .optional(),
  RISK_DEBOUNCE_MS: int(5000, 0, 3_600_000),
  KPI_MAX_RANGE_DAYS: int(400, 1, 3660),
  KPI_REFRESH_SECONDS: int(60, 1, 86_400),
  KPI_DEBOUNCE_MS: int(5000, 0, 3_600_000),
  KPI_SEGMENT_STEP_CUSTOMERS: int(1000, 1, 1_000_000),
  KPI_SEGMENT_STEP_DAYS: int(14, 1, 366),
  KPI_SEGMENT_BUDGET_MS: int(60_000, 0, 3_600_000),
  EXPORT_MAX_ROWS: int(200_000, 1, 10_000_000),
  LOGIN_LOCK_MINUTES: int(15, 1, 24 * 60),
  WORKER_HEARTBEAT_SECONDS: int(30, 1, 3600),
  IMPORT_DIR: z.string().optional(),
  IMPORT_UPLOAD_MAX_BYTES: int(100 * 1_048_576, 1024, 10 * 1_073_741_824),
  RATE_LIMIT_USER_PER_MINUTE: int(600, 0, 1_000_000),
  RATE_LIMIT_IP_PER_MINUTE: int(300, 0, 1_000_000),
  LOGIN_RATE_LIMIT_IP_PER_MINUTE: int(20, 0, 100_000),
  LOGIN_RATE_LIMIT_EMAIL_PER_MINUTE: int(10, 0, 100_000),
  TRUST_PROXY: bool(false),
  WORKER_LOCK_MS: int(30_000, 1000, 3_600_000),
  WORKER_STALLED_INTERVAL_MS: int(30_000, 500, 3_600_000),
  LIVE_MAX_CONNECTIONS_PER_USER: int(10, 1, 100_000),
  LIVE_MAX_SUBSCRIPTIONS: int(20, 1, 1000),
  LIVE_IDLE_TIMEOUT_MS: int(60_000, 1000, 3_600_000),
  LIVE_BUFFER_EVENTS: int(100, 1, 100_000),
  LIVE_REAUTH_MS: int(30_000, 100, 3_600_000),
  LIVE_PRESENCE_TTL_MS: int(20_000, 1000, 600_000),
  LIVE_PRESENCE_SWEEP_MS: int(5000, 100, 60_000),
  LIVE_FLUSH_SHARE_PERCENT: int(10, 1, 100),
  LIVE_FLUSH_BUSY_SHARE_PERCENT: int(1, 1, 100),
  LIVE_FLUSH_MAX_MS: int(250, 0, 5000),
  METRICS_PORT: int(-1, 0, 65535),
  METRICS_TOKEN: z.string().optional(),
  WORKER_METRICS_PORT: int(9464, 0, 65535),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']),
  INBOUND_SMTP: z.string().optional(),
  INBOUND_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  INBOUND_SMTP_PORT: int(2525, 0, 65535),
  INBOUND_MAX_BYTES: int(25 * 1_048_576, 1024, 200 * 1_048_576),
  SUPPORT_ADDRESSES: z.string().optional(),
  MAIL_REPLY_SECRET: z.string().optional(),
  MAIL_AUTO_PER_HOUR: int(5, 0, 10_000),
  AUTO_CLOSE_DAYS: int(4, 0, 365),
  ATTACHMENTS_DIR: z.string().min(1).default('var/attachments'),
  ATTACHMENT_MAX_BYTES: int(10 * 1_048_576, 1024, 100 * 1_048_576),
  ATTACHMENTS_PER_MESSAGE: int(10, 0, 100),
  MAILBOX_SECRET_KEY: z.string().optional(),
});

/** Every environment variable the configuration reads (the README's table must list them all). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
