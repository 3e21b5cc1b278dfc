import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AppConfig } from './app-config';
import { envSchema } from './env-schema';

export type { AppConfig } from './app-config';
export { CONFIG_VARIABLES } from './env-schema';

/** A configuration problem found at start-up. The message names the variable, never its value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration from the environment. Throws {@link ConfigError}
 * with one line per wrong variable; values are never echoed (they may be secrets).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
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
      segmentStepCustomers: e.KPI_SEGMENT_STEP_CUSTOMERS,
      segmentStepDays: e.KPI_SEGMENT_STEP_DAYS,
      segmentBudgetMs: e.KPI_SEGMENT_BUDGET_MS,
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
      flushSharePercent: e.LIVE_FLUSH_SHARE_PERCENT,
      flushBusySharePercent: e.LIVE_FLUSH_BUSY_SHARE_PERCENT,
      flushMaxMs: e.LIVE_FLUSH_MAX_MS,
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
