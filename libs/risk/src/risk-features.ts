/* The risk feature query and its row type, moved out of risk.repository.ts (pure move). */

/** The median resolution time of one team and priority (null team: unassigned). */
export interface PeerMedian {
  teamId: string | null;
  priority: string;
  hours: number;
}

/** Raw per-customer facts as of a moment, straight from SQL (numbers; nulls where nothing is known). */
export interface RawFeatures {
  customerId: string;
  tenureDays: number;
  daysToRenewal: number | null;
  tickets120: number;
  vol30: number;
  base90: number;
  openTickets: number;
  urgentOpen: number;
  solved90: number;
  reopened90: number;
  breaches90: number;
  /** Tickets created in the last 90 days (the denominator of the breach rate). */
  tickets90: number;
  medianResolutionHours: number | null;
  globalMedianResolutionHours: number | null;
  /**
   * Median over the customer's tickets solved in the last 90 days of (its resolution hours ÷ the
   * median of its team and priority): experience relative to its peers; null without solves.
   */
  peerResolutionRatio?: number | null;
  csatCount: number;
  csatMean: number | null;
  csatBad: number;
  cesCount: number;
  cesMean: number | null;
  npsLatest: number | null;
  customerMessages: number;
  negativeMessages: number;
  /** Customer messages (and negative ones) in the last 30 days: the sentiment trend. */
  customerMessages30: number;
  negativeMessages30: number;
  /**
   * The customer's year (tickets created in the last 365 days, and the customer messages on them
   * in that time): the experience rates over enough tickets to mean something (a customer files
   * a few tickets a quarter), optional so that hand-built rows without them score as before.
   */
  ticketsYear?: number;
  breachesYear?: number;
  reopenedYear?: number;
  customerMessagesYear?: number;
  negativeMessagesYear?: number;
  daysSinceContact: number | null;
  /** The customer's plan (free, starter, pro, enterprise); 'starter' when never set. */
  tier?: string | null;
}

const NEGATIVE = -0.05;

/**
 * The feature query. `$1` = as-of time, `$2` = customer ids (null = every customer active at
 * that time), `$3` = live (use current ticket status for the open backlog, via a partial index;
 * a backtest passes false and reconstructs the backlog from timestamps), `$4` = the overall median
 * resolution time in hours (pass it when scoring a subset; null = compute over the customers scored),
 * `$5` = the peer medians (JSON, likewise), `$6`–`$9` = the window starts `$1` − 30 / 90 / 120 / 365
 * days, computed once by PostgreSQL beforehand ({@link FEATURE_BOUNDS_SQL}, as text: exact to the
 * microsecond, whatever the session's time zone): written inline as
 * `$1 - interval '30 days'`, each is a stable expression (it depends on the session's time zone),
 * so it was evaluated again for every row it filtered (the year's 1.4M tickets and 2.5M messages
 * at full size, some twenty times per row).
 * Windows: volume last 30 d vs the 90 d before; the year's experience rates (breaches,
 * reopens, negative messages) the last 365 d; everything else the last 90 d of tickets created in
 * the last 120 d (\`recent\`).
 */
export const FEATURE_BOUNDS_SQL = `
SELECT ($1::timestamptz - interval '30 days')::text AS d30, ($1::timestamptz - interval '90 days')::text AS d90,
       ($1::timestamptz - interval '120 days')::text AS d120, ($1::timestamptz - interval '365 days')::text AS d365`;

const CUST = `
cust AS (
  SELECT c.id, c.customer_since, c.renewal_date, c.tier
    FROM customers c
   WHERE c.customer_since <= $1
     AND ($2::bigint[] IS NULL OR c.id = ANY($2))
     AND (c.status = 'active' OR c.churned_at > $1)
)`;

const WIN = `
win AS (
  SELECT t.id, t.customer_id, t.created_at, t.first_response_at, t.first_response_due_at,
         t.solved_at, t.resolution_due_at, t.reopen_count, t.team_id, t.priority,
         t.created_at > $8::timestamptz AS recent,
         ((t.first_response_due_at < $1 AND (t.first_response_at IS NULL OR t.first_response_at > t.first_response_due_at))
          OR (t.resolution_due_at < $1 AND (t.solved_at IS NULL OR t.solved_at > t.resolution_due_at))) AS breached
    FROM tickets t JOIN cust ON cust.id = t.customer_id
   WHERE t.created_at > $9::timestamptz AND t.created_at <= $1
)`;

const TK = `
tk AS (
  SELECT customer_id,
         count(*) FILTER (WHERE recent)::int AS tickets120,
         count(*) FILTER (WHERE created_at > $6::timestamptz)::int AS vol30,
         count(*) FILTER (WHERE recent AND created_at <= $6::timestamptz)::int AS base90,
         count(*) FILTER (WHERE created_at > $7::timestamptz AND breached)::int AS breaches90,
         count(*) FILTER (WHERE created_at > $7::timestamptz)::int AS tickets90,
         count(*) FILTER (WHERE recent AND solved_at > $7::timestamptz AND solved_at <= $1)::int AS solved90,
         count(*) FILTER (WHERE recent AND solved_at > $7::timestamptz AND solved_at <= $1 AND reopen_count > 0)::int AS reopened90,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600)
           FILTER (WHERE recent AND solved_at > $7::timestamptz AND solved_at <= $1) AS median_hours,
         count(*)::int AS tickets_year,
         count(*) FILTER (WHERE breached)::int AS breaches_year,
         count(*) FILTER (WHERE reopen_count > 0 AND solved_at <= $1)::int AS reopened_year,
         max(created_at) FILTER (WHERE recent) AS last_ticket
    FROM win GROUP BY customer_id
)`;

const GLOB = `
glob AS (
  -- the overall median: given ($4) when scoring a few customers, else over everyone scored
  SELECT coalesce($4::float8, (
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600)
      FROM win WHERE recent AND solved_at > $7::timestamptz AND solved_at <= $1)) AS median_hours
)`;

const PEER = `
peer AS (
  -- median resolution hours per team and priority: given ($5, JSON) when scoring a few
  -- customers, else over the tickets of everyone scored (like glob)
  SELECT (e->>'teamId')::bigint AS team_id, e->>'priority' AS priority, (e->>'hours')::float8 AS hours
    FROM jsonb_array_elements(coalesce($5::jsonb, '[]'::jsonb)) e
  UNION ALL
  SELECT team_id, priority::text,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM solved_at - created_at) / 3600)
    FROM win WHERE $5::jsonb IS NULL AND recent AND solved_at > $7::timestamptz AND solved_at <= $1
   GROUP BY team_id, priority
)`;

const VS_PEERS = `
vs_peers AS (
  SELECT w.customer_id,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM w.solved_at - w.created_at) / 3600) / p.hours) AS ratio
    FROM win w JOIN peer p ON p.team_id IS NOT DISTINCT FROM w.team_id AND p.priority = w.priority::text
   WHERE w.recent AND w.solved_at > $7::timestamptz AND w.solved_at <= $1 AND p.hours > 0
   GROUP BY w.customer_id
)`;

const OPEN_NOW = `
open_now AS (
  SELECT t.customer_id, count(*)::int AS open, count(*) FILTER (WHERE t.priority = 'urgent')::int AS urgent
    FROM tickets t JOIN cust ON cust.id = t.customer_id
   WHERE $3 AND t.status NOT IN ('solved', 'closed')
   GROUP BY t.customer_id
)`;

const OPEN_THEN = `
open_then AS (
  SELECT t.customer_id, count(*)::int AS open, count(*) FILTER (WHERE t.priority = 'urgent')::int AS urgent
    FROM tickets t JOIN cust ON cust.id = t.customer_id
   WHERE NOT $3 AND t.created_at <= $1
     AND (t.solved_at IS NULL OR t.solved_at > $1) AND (t.closed_at IS NULL OR t.closed_at > $1)
   GROUP BY t.customer_id
)`;

const SV = `
sv AS (
  SELECT s.customer_id,
         count(*) FILTER (WHERE s.kind = 'csat')::int AS csat_n,
         avg(s.score) FILTER (WHERE s.kind = 'csat') AS csat_mean,
         count(*) FILTER (WHERE s.kind = 'csat' AND s.score <= 2)::int AS csat_bad,
         count(s.ces_score)::int AS ces_n,
         avg(s.ces_score) AS ces_mean
    FROM surveys s JOIN cust ON cust.id = s.customer_id
   WHERE s.responded_at > $7::timestamptz AND s.responded_at <= $1 AND s.score IS NOT NULL
   GROUP BY s.customer_id
)`;

const NPS = `
nps AS (
  SELECT DISTINCT ON (s.customer_id) s.customer_id, s.score
    FROM surveys s JOIN cust ON cust.id = s.customer_id
   WHERE s.kind = 'nps' AND s.score IS NOT NULL AND s.responded_at <= $1
   ORDER BY s.customer_id, s.responded_at DESC
)`;

/**
 * Customer messages on the tickets of `from`: `win` (the one query) or the year's tickets of every
 * customer (the full run's second connection, {@link MESSAGE_FEATURES_SQL}); the same rows for
 * the customers `win` holds.
 */
const msgCte = (from: 'win' | 'tickets') => {
  const [source, recent] =
    from === 'win' ? ['win w', 'w.recent'] : ['tickets w', 'w.created_at > $8::timestamptz'];
  const year = from === 'win' ? '' : ' AND w.created_at > $9::timestamptz AND w.created_at <= $1';
  return `
msg AS (
  SELECT w.customer_id,
         count(*) FILTER (WHERE ${recent} AND m.created_at > $7::timestamptz)::int AS n,
         count(*) FILTER (WHERE ${recent} AND m.created_at > $7::timestamptz AND m.sentiment < ${NEGATIVE})::int AS negative,
         count(*) FILTER (WHERE ${recent} AND m.created_at > $6::timestamptz)::int AS n30,
         count(*) FILTER (WHERE ${recent} AND m.created_at > $6::timestamptz AND m.sentiment < ${NEGATIVE})::int AS negative30,
         count(*)::int AS n_year,
         count(*) FILTER (WHERE m.sentiment < ${NEGATIVE})::int AS negative_year,
         max(m.created_at) FILTER (WHERE ${recent} AND m.created_at > $7::timestamptz) AS last_message
    FROM ${source} JOIN ticket_messages m ON m.ticket_id = w.id
   WHERE m.kind = 'customer_message' AND m.created_at > $9::timestamptz AND m.created_at <= $1${year}
   GROUP BY w.customer_id
)`;
};

/** The survey features' columns (from `sv` and `nps`). */
const SURVEY_COLUMNS = `
       coalesce(sv.csat_n, 0) AS "csatCount", sv.csat_mean::float8 AS "csatMean", coalesce(sv.csat_bad, 0) AS "csatBad",
       coalesce(sv.ces_n, 0) AS "cesCount", sv.ces_mean::float8 AS "cesMean",
       nps.score AS "npsLatest",`;

/** The feature columns that do not come from the customer messages, with `surveys` in their place. */
const facts = (surveys: string) => `
SELECT cust.id::text AS "customerId", cust.tier AS "tier",
       greatest(0, extract(epoch FROM $1 - cust.customer_since) / 86400)::float8 AS "tenureDays",
       CASE WHEN cust.renewal_date IS NULL THEN NULL
            ELSE (cust.renewal_date - ($1 AT TIME ZONE 'UTC')::date)::float8 END AS "daysToRenewal",
       coalesce(tk.tickets120, 0) AS "tickets120", coalesce(tk.vol30, 0) AS "vol30", coalesce(tk.base90, 0) AS "base90",
       coalesce(open_now.open, open_then.open, 0) AS "openTickets",
       coalesce(open_now.urgent, open_then.urgent, 0) AS "urgentOpen",
       coalesce(tk.solved90, 0) AS "solved90", coalesce(tk.reopened90, 0) AS "reopened90",
       coalesce(tk.breaches90, 0) AS "breaches90", coalesce(tk.tickets90, 0) AS "tickets90",
       tk.median_hours::float8 AS "medianResolutionHours", glob.median_hours::float8 AS "globalMedianResolutionHours",
       vs_peers.ratio::float8 AS "peerResolutionRatio",${surveys}
       coalesce(tk.tickets_year, 0) AS "ticketsYear", coalesce(tk.breaches_year, 0) AS "breachesYear",
       coalesce(tk.reopened_year, 0) AS "reopenedYear"`;

const JOINS = `
  FROM cust
  CROSS JOIN glob
  LEFT JOIN tk ON tk.customer_id = cust.id
  LEFT JOIN vs_peers ON vs_peers.customer_id = cust.id
  LEFT JOIN open_now ON open_now.customer_id = cust.id
  LEFT JOIN open_then ON open_then.customer_id = cust.id`;

const LATER = `
  LEFT JOIN sv ON sv.customer_id = cust.id
  LEFT JOIN nps ON nps.customer_id = cust.id
 ORDER BY cust.id`;

export const FEATURES_SQL = `
WITH ${[CUST, WIN, TK, GLOB, PEER, VS_PEERS, OPEN_NOW, OPEN_THEN, msgCte('win'), SV, NPS].join(',')}${facts(SURVEY_COLUMNS)},
       coalesce(msg.n, 0) AS "customerMessages", coalesce(msg.negative, 0) AS "negativeMessages",
       coalesce(msg.n30, 0) AS "customerMessages30", coalesce(msg.negative30, 0) AS "negativeMessages30",
       coalesce(msg.n_year, 0) AS "customerMessagesYear", coalesce(msg.negative_year, 0) AS "negativeMessagesYear",
       (extract(epoch FROM $1 - greatest(tk.last_ticket, msg.last_message)) / 86400)::float8 AS "daysSinceContact"${JOINS}
  LEFT JOIN msg ON msg.customer_id = cust.id${LATER}`;

/**
 * The full run's first half (same parameters as {@link FEATURES_SQL}): every feature but the
 * customer messages' (0 here, set by {@link joinMessageFeatures}), and `daysSinceContact` the
 * days since the last recent ticket alone. The row objects already have every key of
 * {@link RawFeatures}, so the join writes into them (building 75k new objects with a spread cost
 * node more CPU than parsing them).
 */
export const FEATURES_WITHOUT_MESSAGES_SQL = `
WITH ${[CUST, WIN, TK, GLOB, PEER, VS_PEERS, OPEN_NOW, OPEN_THEN].join(',')}${facts(`
       0 AS "csatCount", NULL::float8 AS "csatMean", 0 AS "csatBad", 0 AS "cesCount", NULL::float8 AS "cesMean",
       NULL::int AS "npsLatest",`)},
       0 AS "customerMessages", 0 AS "negativeMessages", 0 AS "customerMessages30", 0 AS "negativeMessages30",
       0 AS "customerMessagesYear", 0 AS "negativeMessagesYear",
       (extract(epoch FROM $1 - tk.last_ticket) / 86400)::float8 AS "daysSinceContact"${JOINS}
 ORDER BY cust.id`;

/**
 * The full run's survey features, on the second connection after the messages' (same snapshot):
 * the columns of {@link FEATURES_SQL} from `sv` and `nps`, for the scored customers with any.
 * Parameters `$1`, `$2` and `$7` of {@link FEATURES_SQL}, renumbered `$1`–`$3`.
 */
export const SURVEY_FEATURES_SQL = `
WITH ${[CUST, SV, NPS].join(',')}
SELECT cust.id::text AS "customerId",${SURVEY_COLUMNS.replace(/,$/, '')}
  FROM cust
  LEFT JOIN sv ON sv.customer_id = cust.id
  LEFT JOIN nps ON nps.customer_id = cust.id
 WHERE sv.customer_id IS NOT NULL OR nps.customer_id IS NOT NULL`.replace(/\$7\b/g, '$3');

/**
 * The full run's second half, on a second connection in the same snapshot: the customer
 * messages' features from the tickets and messages themselves, and the days since the last
 * recent message (`daysSinceMessage`; the days since contact are the smaller of the two halves',
 * as `greatest` of the two times gives). Every customer with messages in the year, not only the
 * scored ones (the join in node keeps those): no join to the customers over 2.2M message rows,
 * and the tickets' `id` and `customer_id` come from the index on `created_at` that includes them
 * (an index-only scan, not the 1.8 GB heap at 2M tickets). Parameters `$1` and `$6`–`$9` of
 * {@link FEATURES_SQL}, renumbered `$1`–`$5`.
 */
export const MESSAGE_FEATURES_SQL = `
WITH ${msgCte('tickets')}
SELECT customer_id::text AS "customerId",
       n AS "customerMessages", negative AS "negativeMessages",
       n30 AS "customerMessages30", negative30 AS "negativeMessages30",
       n_year AS "customerMessagesYear", negative_year AS "negativeMessagesYear",
       (extract(epoch FROM $1 - last_message) / 86400)::float8 AS "daysSinceMessage"
  FROM msg`.replace(/\$([6-9])\b/g, (_, d: string) => `$${Number(d) - 4}`);

/** A row of {@link MESSAGE_FEATURES_SQL} (customers with customer messages in the year only). */
export interface MessagesRow {
  customerId: string;
  customerMessages: number;
  negativeMessages: number;
  customerMessages30: number;
  negativeMessages30: number;
  customerMessagesYear: number;
  negativeMessagesYear: number;
  daysSinceMessage: number | null;
}

/** A row of {@link SURVEY_FEATURES_SQL}. */
export type SurveysRow = Pick<
  RawFeatures,
  'customerId' | 'csatCount' | 'csatMean' | 'csatBad' | 'cesCount' | 'cesMean' | 'npsLatest'
>;

/**
 * The rows {@link FEATURES_SQL} returns, from its two halves, written into the first half's rows:
 * the survey features and the message counts (0 or null where a customer has none, as its
 * `coalesce` and left joins), and the days since contact the smaller of the two halves' days
 * (the days since `greatest(last ticket, last message)`; the same expression on each time, so
 * equal to the bit).
 */
export function joinMessageFeatures(
  rows: RawFeatures[],
  messages: MessagesRow[],
  surveys: SurveysRow[],
): RawFeatures[] {
  const byCustomer = new Map<string, RawFeatures>();
  for (const r of rows) byCustomer.set(r.customerId, r);
  for (const v of surveys) {
    const r = byCustomer.get(v.customerId);
    if (!r) continue;
    r.csatCount = v.csatCount;
    r.csatMean = v.csatMean;
    r.csatBad = v.csatBad;
    r.cesCount = v.cesCount;
    r.cesMean = v.cesMean;
    r.npsLatest = v.npsLatest;
  }
  for (const m of messages) {
    const r = byCustomer.get(m.customerId);
    if (!r) continue; // not scored (churned, or not a customer yet at asOf)
    r.customerMessages = m.customerMessages;
    r.negativeMessages = m.negativeMessages;
    r.customerMessages30 = m.customerMessages30;
    r.negativeMessages30 = m.negativeMessages30;
    r.customerMessagesYear = m.customerMessagesYear;
    r.negativeMessagesYear = m.negativeMessagesYear;
    const days = m.daysSinceMessage;
    if (days !== null && (r.daysSinceContact === null || days < r.daysSinceContact)) {
      r.daysSinceContact = days;
    }
  }
  return rows;
}
