import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

/** A configuration problem found at start-up. The message names the variable, never its value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

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

const schema = z.object({
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
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  database: { url: string; poolSize: number; statementTimeoutMs: number; migrationsRun: boolean };
  redis: { url: string; prefix: string };
  http: {
    host: string;
    port: number;
    publicUrl: string;
    corsOrigins: string[];
    bodyLimitBytes: number;
    /** Believe X-Forwarded-For (only behind a proxy that sets it): the client IP for limits. */
    trustProxy: boolean;
    /** The built web console served at `/` (skipped when the folder has no index.html). */
    webDir: string;
  };
  rateLimits: {
    /** GraphQL operations per signed-in user per minute (0 = off). */
    userPerMinute: number;
    /** Unauthenticated GraphQL operations per client IP per minute. */
    ipPerMinute: number;
    loginIpPerMinute: number;
    loginEmailPerMinute: number;
  };
  auth: {
    jwtSecret: string;
    jwtSecretIsEphemeral: boolean;
    jwtTtlSeconds: number;
    loginMaxFailures: number;
    loginLockMinutes: number;
  };
  mail: { smtpUrl?: string; from: string; dir: string; smtpConnections: number };
  /** The e-mail channel (inbound receiver, threading, auto-close). */
  email: {
    /** Start the built-in SMTP receiver in the worker (default on, off under NODE_ENV=test). */
    inboundEnabled: boolean;
    inboundHost: string;
    inboundPort: number;
    /** Largest inbound message accepted (SMTP SIZE; larger ones are refused with 552). */
    inboundMaxBytes: number;
    /** Support addresses mail is accepted for (lower case); plus-addressed forms are accepted too. */
    supportAddresses: string[];
    /** Signs per-ticket reply addresses (`support+<ticket>.<signature>@…`). */
    replySecret: string;
    /** Automatic mails (notifications, surveys) per recipient address per hour (0 = no cap). */
    autoPerHour: number;
    /** Solved tickets close by themselves after this many days without a customer reply (0 = never). */
    autoCloseDays: number;
    /** 32-byte key (hex) that encrypts IMAP mailbox passwords at rest (null: none set in production). */
    mailboxKey: string | null;
  };
  /** Attachment store (content-addressed files on local disk) and its limits. */
  attachments: { dir: string; maxBytes: number; perMessage: number };
  log: { level: string; pretty: boolean };
  graphql: {
    schemaFile: string | false;
    exposeSqlCount: boolean;
    maxDepth: number;
    maxComplexity: number;
  };
  surveys: {
    csatDelaySeconds: number;
    throttleDays: number;
    expiryDays: number;
    reminderSeconds: number;
    npsPeriodDays: number;
    npsBatchSize: number;
    /** Survey jobs one worker runs at once; their CSAT decisions are made in batches. */
    concurrency: number;
    tokenSecret: string;
  };
  outbox: { relay: boolean; pollMs: number };
  risk: {
    /** Weight overrides by factor name, plus an optional "intercept". */
    weights: Record<string, number>;
    bands: { medium: number; high: number; critical: number };
    /**
     * RISK_BANDS was set: the default model's bands are these fixed points. Unset: they follow
     * the tenant's own score distribution once 200+ customers are scored (docs/risk-model.md).
     */
    bandsFixed: boolean;
    debounceMs: number;
  };
  /**
   * History import: the folder whose files the GraphQL import may read by path (IMPORT_DIR;
   * outside production `var/import` by default; none in production without it).
   */
  import: {
    dir?: string;
    /** Largest CSV the console may upload (POST /imports/uploads, IMPORT_UPLOAD_MAX_BYTES). */
    uploadMaxBytes: number;
  };
  kpi: {
    /** Longest date range a KPI query may cover. */
    maxRangeDays: number;
    /** How often the worker brings KPI facts and cells up to date (also after ticket events). */
    refreshSeconds: number;
    debounceMs: number;
  };
  /** Most rows one CSV export writes. */
  exportMaxRows: number;
  shutdownTimeoutMs: number;
  worker: {
    concurrency: number;
    heartbeatSeconds: number;
    /** How long a job's lock lives without renewal; a killed worker's jobs are stalled after it. */
    lockMs: number;
    /** How often each worker looks for stalled jobs (locks expired) and puts them back to wait. */
    stalledIntervalMs: number;
  };
  /** GraphQL subscriptions (graphql-ws on /graphql): limits and presence timing. */
  live: {
    maxConnectionsPerUser: number;
    maxSubscriptions: number;
    /** A connection without any subscription for this long is closed. */
    idleTimeoutMs: number;
    /** Events buffered per subscription before it is ended with a "refetch" error. */
    bufferEvents: number;
    /** How often each connection's token and user are checked again (deactivation, revocation). */
    reauthMs: number;
    /** A viewer who sends no heartbeat for this long is gone. */
    presenceTtlMs: number;
    /** How often each api process re-reads presence for its ticketViewers subscribers. */
    presenceSweepMs: number;
  };
  metrics: {
    /** A separate port for the api's /metrics (unset: on the api's own port, see `token`). */
    apiPort?: number;
    /** Bearer token required for the api's /metrics; in production /metrics needs it or apiPort. */
    token?: string;
    /** The worker's metrics port (0 = any free port, printed at start). */
    workerPort: number;
  };
  /** OTLP/HTTP collector for traces (tracing is off without it; read again by the tracing SDK). */
  tracing: { otlpEndpoint?: string };
}

/**
 * Reads and validates the configuration from the environment. Throws {@link ConfigError}
 * with one line per wrong variable; values are never echoed (they may be secrets).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const message =
        issue.code === 'invalid_value'
          ? `must be one of ${issue.values.join(', ')}`
          : issue.message;
      return `${name} ${message}`;
    });
    throw new ConfigError(problems.sort());
  }
  const e = parsed.data;
  const problems: string[] = [];
  let jwtSecret = e.JWT_SECRET || undefined; // empty = not set
  let jwtSecretIsEphemeral = false;
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters');
  }
  if (!jwtSecret) {
    if (e.NODE_ENV === 'production') problems.push('JWT_SECRET is required in production');
    if (e.NODE_ENV === 'development') {
      // generated once and kept (outside git), so restarting the dev server keeps sessions
      try {
        jwtSecret = developmentSecret(e.JWT_SECRET_FILE);
      } catch {
        problems.push('JWT_SECRET_FILE cannot be read or written: set JWT_SECRET instead');
      }
    } else {
      jwtSecret = randomBytes(32).toString('hex');
      jwtSecretIsEphemeral = true;
    }
  }
  if (e.SURVEY_TOKEN_SECRET !== undefined && e.SURVEY_TOKEN_SECRET.length < 32) {
    problems.push('SURVEY_TOKEN_SECRET must be at least 32 characters');
  }
  if (!e.SURVEY_TOKEN_SECRET && e.NODE_ENV === 'production') {
    problems.push('SURVEY_TOKEN_SECRET is required in production');
  }
  let riskWeights: Record<string, number> = {};
  if (e.RISK_WEIGHTS) {
    try {
      const parsed: unknown = JSON.parse(e.RISK_WEIGHTS);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
      for (const v of Object.values(parsed))
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error();
      riskWeights = parsed as Record<string, number>;
    } catch {
      problems.push('RISK_WEIGHTS must be a JSON object of numbers, like {"sla_breaches": 1.2}');
    }
  }
  const [medium, high, critical] = (e.RISK_BANDS ?? '25,50,75')
    .split(',')
    .map((x) => Number(x.trim()));
  if (!(medium < high && high < critical && critical <= 100)) {
    problems.push('RISK_BANDS must be increasing and at most 100');
  }
  if (e.METRICS_TOKEN !== undefined && e.METRICS_TOKEN.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters');
  }
  let inboundEnabled = e.NODE_ENV !== 'test';
  if (e.INBOUND_SMTP !== undefined && e.INBOUND_SMTP !== '') {
    const v = e.INBOUND_SMTP.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) inboundEnabled = true;
    else if (['0', 'false', 'no', 'off'].includes(v)) inboundEnabled = false;
    else problems.push('INBOUND_SMTP must be true or false');
  }
  const fromAddress = (/<([^>]+)>/.exec(e.MAIL_FROM)?.[1] ?? e.MAIL_FROM).trim().toLowerCase();
  const supportAddresses = (e.SUPPORT_ADDRESSES ?? fromAddress)
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  if (supportAddresses.some((a) => !/^[^@\s+]+@[^@\s]+$/.test(a))) {
    problems.push('SUPPORT_ADDRESSES must be a comma-separated list of plain addresses (no +tag)');
  }
  if (e.MAIL_REPLY_SECRET !== undefined && e.MAIL_REPLY_SECRET.length < 32) {
    problems.push('MAIL_REPLY_SECRET must be at least 32 characters');
  }
  if (e.MAILBOX_SECRET_KEY !== undefined && !/^[0-9a-fA-F]{64}$/.test(e.MAILBOX_SECRET_KEY)) {
    problems.push('MAILBOX_SECRET_KEY must be 64 hex characters (32 bytes)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const port = e.PORT;
  return {
    env: e.NODE_ENV,
    database: {
      url: e.DATABASE_URL as string,
      poolSize: e.DATABASE_POOL_SIZE,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      migrationsRun: e.MIGRATIONS_RUN,
    },
    redis: { url: e.REDIS_URL as string, prefix: e.REDIS_PREFIX },
    http: {
      host: e.HOST,
      port,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
      corsOrigins: (e.CORS_ORIGINS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      trustProxy: e.TRUST_PROXY,
      webDir: e.WEB_DIR,
    },
    rateLimits: {
      userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE,
      ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
      loginIpPerMinute: e.LOGIN_RATE_LIMIT_IP_PER_MINUTE,
      loginEmailPerMinute: e.LOGIN_RATE_LIMIT_EMAIL_PER_MINUTE,
    },
    auth: {
      jwtSecret: jwtSecret as string,
      jwtSecretIsEphemeral,
      jwtTtlSeconds: e.JWT_TTL_SECONDS,
      loginMaxFailures: e.LOGIN_MAX_FAILURES,
      loginLockMinutes: e.LOGIN_LOCK_MINUTES,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      dir: e.MAIL_DIR,
      smtpConnections: e.SMTP_CONNECTIONS,
    },
    email: {
      inboundEnabled,
      inboundHost: e.INBOUND_SMTP_HOST,
      inboundPort: e.INBOUND_SMTP_PORT,
      inboundMaxBytes: e.INBOUND_MAX_BYTES,
      supportAddresses,
      // development fallback: stable per database (reply addresses survive restarts), not a secret
      // without MAIL_REPLY_SECRET: derived from JWT_SECRET in production (required there, stable
      // across processes), from the database URL in development (JWT_SECRET may be per process)
      replySecret:
        e.MAIL_REPLY_SECRET ??
        createHash('sha256')
          .update(
            e.NODE_ENV === 'production'
              ? `staydesk-mail-reply:${jwtSecret}`
              : `staydesk-dev-mail:${e.DATABASE_URL}`,
          )
          .digest('hex'),
      autoPerHour: e.MAIL_AUTO_PER_HOUR,
      autoCloseDays: e.AUTO_CLOSE_DAYS,
      // development fallback: stable per database, not a secret
      // production without a key: mailboxes cannot be added or polled (said when one is)
      mailboxKey:
        e.MAILBOX_SECRET_KEY?.toLowerCase() ??
        (e.NODE_ENV === 'production'
          ? null
          : createHash('sha256').update(`staydesk-dev-mailbox:${e.DATABASE_URL}`).digest('hex')),
    },
    attachments: {
      dir: e.ATTACHMENTS_DIR,
      maxBytes: e.ATTACHMENT_MAX_BYTES,
      perMessage: e.ATTACHMENTS_PER_MESSAGE,
    },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    graphql: {
      schemaFile:
        e.SCHEMA_FILE !== undefined
          ? e.SCHEMA_FILE === '' || e.SCHEMA_FILE === 'off'
            ? false
            : e.SCHEMA_FILE
          : e.NODE_ENV === 'production'
            ? false
            : 'schema.graphql',
      exposeSqlCount: e.EXPOSE_SQL_COUNT,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
    },
    surveys: {
      csatDelaySeconds: e.CSAT_DELAY_SECONDS,
      throttleDays: e.SURVEY_THROTTLE_DAYS,
      expiryDays: e.SURVEY_EXPIRY_DAYS,
      reminderSeconds: e.SURVEY_REMINDER_SECONDS,
      npsPeriodDays: e.NPS_PERIOD_DAYS,
      npsBatchSize: e.NPS_BATCH_SIZE,
      concurrency: e.SURVEY_CONCURRENCY,
      // Development fallback: stable per database (so worker restarts re-derive the same survey
      // links), not a secret; production must set its own.
      tokenSecret:
        e.SURVEY_TOKEN_SECRET ??
        createHash('sha256').update(`staydesk-dev-survey:${e.DATABASE_URL}`).digest('hex'),
    },
    outbox: { relay: e.OUTBOX_RELAY, pollMs: e.OUTBOX_POLL_MS },
    risk: {
      weights: riskWeights,
      bands: { medium, high, critical },
      bandsFixed: e.RISK_BANDS !== undefined,
      debounceMs: e.RISK_DEBOUNCE_MS,
    },
    import: {
      dir: e.IMPORT_DIR || (e.NODE_ENV === 'production' ? undefined : 'var/import'),
      uploadMaxBytes: e.IMPORT_UPLOAD_MAX_BYTES,
    },
    kpi: {
      maxRangeDays: e.KPI_MAX_RANGE_DAYS,
      refreshSeconds: e.KPI_REFRESH_SECONDS,
      debounceMs: e.KPI_DEBOUNCE_MS,
    },
    exportMaxRows: e.EXPORT_MAX_ROWS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      heartbeatSeconds: e.WORKER_HEARTBEAT_SECONDS,
      lockMs: e.WORKER_LOCK_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    },
    live: {
      maxConnectionsPerUser: e.LIVE_MAX_CONNECTIONS_PER_USER,
      maxSubscriptions: e.LIVE_MAX_SUBSCRIPTIONS,
      idleTimeoutMs: e.LIVE_IDLE_TIMEOUT_MS,
      bufferEvents: e.LIVE_BUFFER_EVENTS,
      reauthMs: e.LIVE_REAUTH_MS,
      presenceTtlMs: e.LIVE_PRESENCE_TTL_MS,
      presenceSweepMs: e.LIVE_PRESENCE_SWEEP_MS,
    },
    metrics: {
      apiPort: e.METRICS_PORT >= 0 ? e.METRICS_PORT : undefined,
      token: e.METRICS_TOKEN || undefined,
      workerPort: e.WORKER_METRICS_PORT,
    },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
  };
}

/**
 * The development JWT secret: read from `file`, or generated and written there (mode 0600) the
 * first time. Never used in production, which must set JWT_SECRET.
 */
export function developmentSecret(file: string): string {
  const path = resolve(file);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('hex');
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx': if another process wrote it meanwhile, keep theirs
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(path, 'utf8').trim();
  }
}

/** host:port/database of a PostgreSQL URL, safe to print (no user, no password). */
export function describeDatabaseUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
