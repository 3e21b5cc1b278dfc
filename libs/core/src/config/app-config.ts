/** The validated configuration every module reads (built by `loadConfig` in config.ts). */
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
    /** Customers whose facts' segments one step rewrites. */
    segmentStepCustomers: number;
    /** Days of segment cells one step recomputes (weeks and months: as many whole ones, at least one). */
    segmentStepDays: number;
    /** How long one refresh goes on applying a segment shift after its transaction (one step at least). */
    segmentBudgetMs: number;
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
    /**
     * Live frames: the share of an api process's time (in %) that socket writes may take while
     * events stream in; beyond it frames wait and each socket gets what came meanwhile in one
     * write (docs/decisions.md 38). A lone event still leaves at once.
     */
    flushSharePercent: number;
    /**
     * The same while events stream in (a flush carried two events or more per socket): smaller,
     * so each socket gets one write per `flushMaxMs` whatever the event rate.
     */
    flushBusySharePercent: number;
    /** The longest a live frame waits for its socket's next write (the bound on added latency). */
    flushMaxMs: number;
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
