import { Injectable } from '@nestjs/common';
import { CompiledQuery } from 'kysely';
import { Tx, db } from '@staydesk/core';

/** One ticket, survey or message behind a risk factor. */
export interface EvidenceRow {
  kind: 'ticket' | 'survey' | 'message';
  id: string;
  ticketId: string | null;
  at: Date | null;
  detail: string;
}

/** At most this many items per factor (the newest). */
export const EVIDENCE_LIMIT = 50;

const TICKET = (at: string, detail: string) =>
  `SELECT 'ticket' AS kind, t.id::text AS id, t.id::text AS "ticketId", ${at} AS at, ${detail} AS detail`;
/** Tickets of the 120-day window of the features (created in (t − 120 d, t]). */
const WIN = `FROM tickets t WHERE t.customer_id = $1 AND t.created_at > $2::timestamptz - interval '120 days' AND t.created_at <= $2`;
const ANSWERS = `FROM surveys s WHERE s.customer_id = $1 AND s.responded_at > $2::timestamptz - interval '90 days'
  AND s.responded_at <= $2 AND s.score IS NOT NULL`;
const SURVEY = (detail: string) =>
  `SELECT 'survey' AS kind, s.id::text AS id, s.ticket_id::text AS "ticketId", s.responded_at AS at, ${detail} AS detail`;

/**
 * The facts behind each factor, with the definitions of the risk features (risk.repository.ts
 * FEATURES_SQL, docs/risk-model.md) as of the score's time $2 for customer $1. Factors on
 * account facts only (renewal_soon, short_tenure) have no evidence.
 */
const EVIDENCE_SQL: Record<string, string> = {
  sla_breaches: `${TICKET(
    't.created_at',
    `CASE WHEN t.first_response_due_at < $2 AND (t.first_response_at IS NULL OR t.first_response_at > t.first_response_due_at)
          THEN 'first response target missed' ELSE 'resolution target missed' END || ': ' || t.subject`,
  )} ${WIN} AND t.created_at > $2::timestamptz - interval '90 days' AND (
      (t.first_response_due_at < $2 AND (t.first_response_at IS NULL OR t.first_response_at > t.first_response_due_at))
   OR (t.resolution_due_at < $2 AND (t.solved_at IS NULL OR t.solved_at > t.resolution_due_at)))`,
  reopen_rate: `${TICKET('t.solved_at', `'reopened ' || t.reopen_count || '×: ' || t.subject`)} ${WIN}
    AND t.solved_at > $2::timestamptz - interval '90 days' AND t.solved_at <= $2 AND t.reopen_count > 0`,
  slow_resolution: `${TICKET(
    't.solved_at',
    `round((extract(epoch FROM t.solved_at - t.created_at) / 3600)::numeric, 1) || ' h to solve: ' || t.subject`,
  )} ${WIN} AND t.solved_at > $2::timestamptz - interval '90 days' AND t.solved_at <= $2`,
  volume_spike: `${TICKET('t.created_at', 't.subject')} ${WIN} AND t.created_at > $2::timestamptz - interval '30 days'`,
  open_backlog: `${TICKET('t.created_at', `t.status || ': ' || t.subject`)}
    FROM tickets t WHERE t.customer_id = $1 AND t.status NOT IN ('solved', 'closed')`,
  urgent_open: `${TICKET('t.created_at', `'urgent, ' || t.status || ': ' || t.subject`)}
    FROM tickets t WHERE t.customer_id = $1 AND t.status NOT IN ('solved', 'closed') AND t.priority = 'urgent'`,
  low_csat: `${SURVEY(`'CSAT ' || s.score || '/5'`)} ${ANSWERS} AND s.kind = 'csat'`,
  bad_csat_count: `${SURVEY(`'CSAT ' || s.score || '/5'`)} ${ANSWERS} AND s.kind = 'csat' AND s.score <= 2`,
  high_effort: `${SURVEY(`'effort ' || s.ces_score || '/7'`)} ${ANSWERS} AND s.ces_score IS NOT NULL`,
  nps_detractor: `(${SURVEY(`'NPS ' || s.score || '/10'`)} FROM surveys s
    WHERE s.customer_id = $1 AND s.kind = 'nps' AND s.score IS NOT NULL AND s.responded_at <= $2
    ORDER BY s.responded_at DESC LIMIT 1)`,
  negative_sentiment: `SELECT 'message' AS kind, m.id::text AS id, t.id::text AS "ticketId", m.created_at AS at,
      'sentiment ' || round(m.sentiment::numeric, 2) || ': ' || left(m.body, 200) AS detail
    ${WIN.replace('FROM tickets t', 'FROM tickets t JOIN ticket_messages m ON m.ticket_id = t.id')}
      AND m.kind = 'customer_message' AND m.created_at > $2::timestamptz - interval '90 days' AND m.created_at <= $2
      AND m.sentiment < -0.05`,
  dormancy: `(${TICKET('t.created_at', `'last ticket: ' || t.subject`)} ${WIN} ORDER BY t.created_at DESC LIMIT 1)`,
};

@Injectable()
export class RiskEvidenceRepository {
  has(factor: string): boolean {
    return factor in EVIDENCE_SQL;
  }

  /**
   * The evidence the viewer may read, and how many items were left out because their ticket
   * belongs to a private team the viewer is not in (`hiddenTeamIds`).
   */
  async evidence(
    tx: Tx,
    customerId: string,
    factor: string,
    asOf: Date,
    hiddenTeamIds: string[] = [],
  ): Promise<{ rows: EvidenceRow[]; hidden: number }> {
    const sql = EVIDENCE_SQL[factor];
    if (!sql) return { rows: [], hidden: 0 };
    // The factor's SQL references the customer and the time ($1, $2) many times: it runs with its
    // text unchanged as a CompiledQuery on db(tx) (decision 46), its rows typed here.
    type Row = EvidenceRow & { hiddenCount: number; hiddenRow: boolean };
    const query = CompiledQuery.raw(
      `SELECT * FROM (
         SELECT e.*, count(*) FILTER (WHERE e."hiddenRow") OVER ()::int AS "hiddenCount"
           FROM (SELECT e.*, (e."ticketId" IS NOT NULL AND EXISTS (SELECT 1 FROM tickets ht
                   WHERE ht.id = e."ticketId"::bigint AND ht.team_id = ANY($3::bigint[]))) AS "hiddenRow"
                   FROM (${sql}) e WHERE $2::timestamptz IS NOT NULL) e) e
        ORDER BY "hiddenRow", at DESC NULLS LAST, id DESC LIMIT ${EVIDENCE_LIMIT}`,
      [customerId, asOf, hiddenTeamIds],
    );
    const { rows } = await db(tx).executeQuery<Row>(query);
    return {
      rows: rows.filter((r) => !r.hiddenRow).map(({ hiddenCount: _c, hiddenRow: _h, ...r }) => r),
      hidden: rows[0]?.hiddenCount ?? 0,
    };
  }
}
