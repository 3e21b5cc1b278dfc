import { Injectable } from '@nestjs/common';
import { mrrAtSql } from '@staydesk/customers';
import { Tx, returnedRows } from '@staydesk/core';
import type { SurveyKind } from './survey-rules';

export interface SurveyRow {
  id: string;
  kind: SurveyKind;
  ticketId: string | null;
  solveCycle: number | null;
  contactId: string;
  customerId: string;
  teamId: string | null;
  agentId: string | null;
  tokenSalt: string;
  formNonce: string | null;
  createdAt: Date;
  sentAt: Date | null;
  remindedAt: Date | null;
  expiresAt: Date;
  respondedAt: Date | null;
  score: number | null;
  cesScore: number | null;
  comment: string | null;
}

export interface SurveyContext extends SurveyRow {
  contactName: string;
  contactEmail: string;
  surveyOptOut: boolean;
  /** The contact's address is bouncing: nothing is mailed to it. */
  bouncing: boolean;
  /** A delivery started (and, with dataSentAt, handed the whole message over) but was not recorded as sent. */
  sendingAt: Date | null;
  dataSentAt: Date | null;
  customerName: string;
  ticketSubject: string | null;
}

export interface CsatTicket {
  id: string;
  status: string;
  solveCount: number;
  customerId: string;
  requesterId: string;
  teamId: string | null;
  assigneeId: string | null;
  optOut: boolean;
  bouncing: boolean;
  /** The CSAT survey of the asked solve cycle, when there is one. */
  existingId: string | null;
  existingSent: boolean;
}

export interface CsatBatchTicket extends CsatTicket {
  /** Position (1-based) of the solve in the batch asked for. */
  ord: number;
  contactName: string;
  contactEmail: string;
  customerName: string;
  ticketSubject: string | null;
}

export interface StatsRow {
  groupKey: string | null;
  sent: number;
  responded: number;
  csatSent: number;
  csatResponded: number;
  csatResponses: number;
  csatGood: number;
  /** Σ MRR of the customers behind the CSAT ratings, and of the good ones (revenue-weighted CSAT). */
  csatWeight: number;
  csatGoodWeight: number;
  cesResponses: number;
  cesSum: number;
  npsResponses: number;
  promoters: number;
  passives: number;
  detractors: number;
}

const COLUMNS = `s.id::text, s.kind, s.ticket_id::text AS "ticketId", s.solve_cycle AS "solveCycle",
  s.contact_id::text AS "contactId", s.customer_id::text AS "customerId", s.team_id::text AS "teamId",
  s.agent_id::text AS "agentId", s.token_salt AS "tokenSalt", s.form_nonce AS "formNonce",
  s.created_at AS "createdAt", s.sent_at AS "sentAt", s.reminded_at AS "remindedAt", s.expires_at AS "expiresAt",
  s.responded_at AS "respondedAt", s.score, s.ces_score AS "cesScore", s.comment`;

const CONTEXT = `${COLUMNS}, c.name AS "contactName", c.email AS "contactEmail", c.survey_opt_out AS "surveyOptOut",
  c.email_bouncing_at IS NOT NULL AS bouncing, s.sending_at AS "sendingAt", s.data_sent_at AS "dataSentAt",
  cu.name AS "customerName", t.subject AS "ticketSubject"
  FROM surveys s JOIN contacts c ON c.id = s.contact_id JOIN customers cu ON cu.id = s.customer_id
  LEFT JOIN tickets t ON t.id = s.ticket_id`;

export type StatsGroup = 'none' | 'team' | 'agent' | 'week' | 'month' | 'kind' | 'segment';

/**
 * Group expressions; `at` is the anchor of the part (sent_at for sending figures, responded_at
 * for answers). Team and agent are the ticket's current team and assignee, as in supportKpis
 * (the survey's own for relationship NPS, which has no ticket); weeks and months are UTC.
 */
const GROUP_EXPR: Record<StatsGroup, (at: string) => string> = {
  none: () => 'NULL::text',
  team: () => `(CASE WHEN s.ticket_id IS NULL THEN s.team_id ELSE t.team_id END)::text`,
  agent: () => `(CASE WHEN s.ticket_id IS NULL THEN s.agent_id ELSE t.assignee_id END)::text`,
  week: (at) => `to_char(date_trunc('week', ${at} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`,
  month: (at) => `to_char(date_trunc('month', ${at} AT TIME ZONE 'UTC'), 'YYYY-MM')`,
  kind: () => 's.kind',
  segment: () => `(SELECT cv.segment FROM customer_values cv WHERE cv.customer_id = s.customer_id)`,
};

@Injectable()
export class SurveysRepository {
  /** The ticket, its requester's mail flags and its CSAT survey of this solve cycle (one round trip). */
  async csatTicket(tx: Tx, ticketId: string, solveCycle: number): Promise<CsatTicket | null> {
    const rows: CsatTicket[] = await tx.query(
      `SELECT t.id::text, t.status, t.solve_count AS "solveCount", t.customer_id::text AS "customerId",
              t.requester_id::text AS "requesterId", t.team_id::text AS "teamId", t.assignee_id::text AS "assigneeId",
              c.survey_opt_out AS "optOut", c.email_bouncing_at IS NOT NULL AS bouncing,
              s.id::text AS "existingId", coalesce(s.sent_at IS NOT NULL, false) AS "existingSent"
         FROM tickets t JOIN contacts c ON c.id = t.requester_id
         LEFT JOIN surveys s ON s.kind = 'csat' AND s.ticket_id = t.id AND s.solve_cycle = $2
        WHERE t.id = $1`,
      [ticketId, solveCycle],
    );
    return rows[0] ?? null;
  }

  /**
   * `csatTicket` for many solves at once, with what the survey e-mail needs (names, subject):
   * one row per (ticket, solve cycle) asked for that exists, with its position in the input.
   */
  async csatTickets(
    tx: Tx,
    items: readonly { ticketId: string; solveCycle: number }[],
  ): Promise<CsatBatchTicket[]> {
    return tx.query(
      `SELECT v.ord::int AS ord, t.id::text, t.status, t.solve_count AS "solveCount",
              t.customer_id::text AS "customerId", t.requester_id::text AS "requesterId",
              t.team_id::text AS "teamId", t.assignee_id::text AS "assigneeId",
              c.survey_opt_out AS "optOut", c.email_bouncing_at IS NOT NULL AS bouncing,
              c.name AS "contactName", c.email AS "contactEmail", cu.name AS "customerName",
              t.subject AS "ticketSubject",
              s.id::text AS "existingId", coalesce(s.sent_at IS NOT NULL, false) AS "existingSent"
         FROM unnest($1::bigint[], $2::int[]) WITH ORDINALITY AS v(ticket_id, cycle, ord)
         JOIN tickets t ON t.id = v.ticket_id
         JOIN contacts c ON c.id = t.requester_id
         JOIN customers cu ON cu.id = t.customer_id
         LEFT JOIN surveys s ON s.kind = 'csat' AND s.ticket_id = t.id AND s.solve_cycle = v.cycle`,
      [items.map((i) => i.ticketId), items.map((i) => i.solveCycle)],
    );
  }

  /** `lockContact` for many contacts, in one order (two batches never wait on each other in a cycle). */
  async lockContacts(tx: Tx, contactIds: readonly string[]): Promise<void> {
    const keys = [...new Set(contactIds.map((id) => Number(id) % 2_147_483_647))].sort(
      (a, b) => a - b,
    );
    if (keys.length === 0) return;
    await tx.query(
      `SELECT count(pg_advisory_xact_lock(7422002, k)) FROM (SELECT k FROM unnest($1::int[]) k ORDER BY k) x`,
      [keys],
    );
  }

  /** Of these contacts, the ones surveyed within `days` (the throttle). */
  async surveyedWithinMany(
    tx: Tx,
    contactIds: readonly string[],
    days: number,
  ): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows: { id: string }[] = await tx.query(
      `SELECT DISTINCT contact_id::text AS id FROM surveys
        WHERE contact_id = ANY($1::bigint[]) AND created_at > now() - make_interval(days => $2)`,
      [contactIds, days],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Inserts CSAT surveys set-based, already `sending` (delivery starts after the commit). A
   * solve that got its survey from someone else meanwhile is skipped (no row returned for it).
   */
  async insertCsatMany(
    tx: Tx,
    rows: readonly {
      ticketId: string;
      solveCycle: number;
      contactId: string;
      customerId: string;
      teamId: string | null;
      agentId: string | null;
      salt: string;
    }[],
    expiresInDays: number,
  ): Promise<SurveyRow[]> {
    if (rows.length === 0) return [];
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    return tx.query(
      `INSERT INTO surveys AS s (kind, ticket_id, solve_cycle, contact_id, customer_id, team_id, agent_id,
                                 token_salt, token_hash, expires_at, sending_at)
       SELECT 'csat', v.ticket_id, v.cycle, v.contact_id, v.customer_id, v.team_id, v.agent_id,
              v.salt, 'pending:' || v.salt, now() + make_interval(days => $8), now()
         FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[])
              AS v(ticket_id, cycle, contact_id, customer_id, team_id, agent_id, salt)
       ON CONFLICT DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        col('ticketId'),
        col('solveCycle'),
        col('contactId'),
        col('customerId'),
        col('teamId'),
        col('agentId'),
        col('salt'),
        expiresInDays,
      ],
    );
  }

  /** Surveys the SMTP server accepted (one statement for many). */
  async markSentMany(tx: Tx, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      `UPDATE surveys SET sent_at = now() WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`,
      [ids],
    );
  }

  /** Serialises survey creation per contact, so the throttle holds under concurrency. */
  async lockContact(tx: Tx, contactId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(7422002, $1::int)`, [
      Number(contactId) % 2_147_483_647,
    ]);
  }

  async surveyedWithin(tx: Tx, contactId: string, days: number): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM surveys WHERE contact_id = $1 AND created_at > now() - make_interval(days => $2) LIMIT 1`,
      [contactId, days],
    );
    return rows.length > 0;
  }

  async csatFor(tx: Tx, ticketId: string, solveCycle: number): Promise<SurveyRow | null> {
    const rows: SurveyRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM surveys s WHERE s.kind = 'csat' AND s.ticket_id = $1 AND s.solve_cycle = $2`,
      [ticketId, solveCycle],
    );
    return rows[0] ?? null;
  }

  /** Inserts a survey; with the token hash computed from the new id (one round trip). */
  async insert(
    tx: Tx,
    s: {
      kind: SurveyKind;
      ticketId: string | null;
      solveCycle: number | null;
      contactId: string;
      customerId: string;
      teamId: string | null;
      agentId: string | null;
      period: string | null;
      salt: string;
      expiresInDays: number;
      /** Delivery starts right after this transaction commits (sending_at set now). */
      sending?: boolean;
    },
  ): Promise<SurveyRow> {
    const rows: SurveyRow[] = await tx.query(
      `INSERT INTO surveys AS s (kind, ticket_id, solve_cycle, contact_id, customer_id, team_id, agent_id, period,
                                 token_salt, token_hash, expires_at, sending_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending:' || $9, now() + make_interval(days => $10),
               CASE WHEN $11 THEN now() END)
       RETURNING ${COLUMNS}`,
      [
        s.kind,
        s.ticketId,
        s.solveCycle,
        s.contactId,
        s.customerId,
        s.teamId,
        s.agentId,
        s.period,
        s.salt,
        s.expiresInDays,
        s.sending ?? false,
      ],
    );
    return rows[0];
  }

  async setTokenHashes(tx: Tx, items: { id: string; hash: string }[]): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE surveys s SET token_hash = v.hash
         FROM unnest($1::bigint[], $2::text[]) AS v(id, hash) WHERE s.id = v.id`,
      [items.map((i) => i.id), items.map((i) => i.hash)],
    );
  }

  async context(tx: Tx, id: string): Promise<SurveyContext | null> {
    const rows: SurveyContext[] = await tx.query(`SELECT ${CONTEXT} WHERE s.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async contextByTokenHash(tx: Tx, hash: string, lock: boolean): Promise<SurveyContext | null> {
    const rows: SurveyContext[] = await tx.query(
      `SELECT ${CONTEXT} WHERE s.token_hash = $1 ${lock ? 'FOR UPDATE OF s' : ''}`,
      [hash],
    );
    return rows[0] ?? null;
  }

  /** A delivery starts (committed before the SMTP transaction); false when already sent. */
  async markSending(tx: Tx, id: string): Promise<boolean> {
    const rows = returnedRows(
      await tx.query(
        `UPDATE surveys SET sending_at = now(), data_sent_at = NULL
          WHERE id = $1 AND sent_at IS NULL RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  /** The whole survey mail went to the server; only its answer is missing (run by the SendJournal). */
  static readonly DATA_SENT_SQL = `UPDATE surveys SET data_sent_at = clock_timestamp() WHERE id = $1 AND sent_at IS NULL`;

  /** DATA_SENT_SQL for many surveys (`$1` an array of ids). */
  static readonly DATA_SENT_MANY_SQL = `UPDATE surveys SET data_sent_at = clock_timestamp() WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`;

  /** The delivery failed (the job retries): the message was not handed over. */
  async clearSending(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE surveys SET sending_at = NULL, data_sent_at = NULL WHERE id = $1 AND sent_at IS NULL`,
      [id],
    );
  }

  async markSent(tx: Tx, id: string): Promise<boolean> {
    const rows = returnedRows(
      await tx.query(
        `UPDATE surveys SET sent_at = now() WHERE id = $1 AND sent_at IS NULL RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  async markReminded(tx: Tx, id: string): Promise<boolean> {
    const rows = returnedRows(
      await tx.query(
        `UPDATE surveys SET reminded_at = now() WHERE id = $1 AND reminded_at IS NULL RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  async saveResponse(
    tx: Tx,
    id: string,
    r: { score: number | null; cesScore?: number | null; comment?: string | null; nonce: string },
  ): Promise<void> {
    await tx.query(
      `UPDATE surveys SET
          score = coalesce($2, score),
          ces_score = CASE WHEN $3::boolean THEN $4 ELSE ces_score END,
          comment = CASE WHEN $5::boolean THEN $6 ELSE comment END,
          responded_at = CASE WHEN coalesce($2, score) IS NOT NULL THEN coalesce(responded_at, now()) ELSE responded_at END,
          form_nonce = $7
        WHERE id = $1`,
      [
        id,
        r.score,
        r.cesScore !== undefined,
        r.cesScore ?? null,
        r.comment !== undefined,
        r.comment ?? null,
        r.nonce,
      ],
    );
  }

  async optOut(tx: Tx, contactId: string): Promise<void> {
    await tx.query(`UPDATE contacts SET survey_opt_out = true, updated_at = now() WHERE id = $1`, [
      contactId,
    ]);
  }

  async hasRecoveryFollowUp(tx: Tx, surveyId: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(`SELECT 1 FROM follow_ups WHERE survey_id = $1`, [
      surveyId,
    ]);
    return rows.length > 0;
  }

  async teamLead(
    tx: Tx,
    teamId: string,
  ): Promise<{
    leadId: string | null;
    timezone: string | null;
    businessHours: Record<string, [string, string][]> | null;
  }> {
    const rows: {
      leadId: string | null;
      timezone: string | null;
      businessHours: Record<string, [string, string][]> | null;
    }[] = await tx.query(
      `SELECT t.lead_id::text AS "leadId", t.timezone, t.business_hours AS "businessHours"
         FROM teams t LEFT JOIN users u ON u.id = t.lead_id AND u.active WHERE t.id = $1`,
      [teamId],
    );
    return rows[0] ?? { leadId: null, timezone: null, businessHours: null };
  }

  async anyAdmin(tx: Tx): Promise<string | null> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM users WHERE role = 'admin' AND active ORDER BY users.id LIMIT 1`,
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Creates NPS surveys, set-based, for contacts of active customers who have not had an NPS survey
   * in this period, nor any survey within the throttle window, and did not opt out.
   */
  async createNpsBatch(
    tx: Tx,
    period: string,
    periodDays: number,
    throttleDays: number,
    expiryDays: number,
    limit: number,
  ) {
    const rows: { id: string; tokenSalt: string }[] = await tx.query(
      `INSERT INTO surveys (kind, contact_id, customer_id, period, token_salt, token_hash, expires_at)
       SELECT 'nps', c.id, c.customer_id, $1, salt, 'pending:' || salt, now() + make_interval(days => $4)
         FROM (SELECT c.*, md5(random()::text || clock_timestamp()::text || c.id::text) AS salt FROM contacts c) c
         JOIN customers cu ON cu.id = c.customer_id AND cu.status = 'active'
        WHERE NOT c.survey_opt_out AND c.email_bouncing_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.contact_id = c.id
                            AND s.created_at > now() - make_interval(days => $3))
          AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.contact_id = c.id AND s.kind = 'nps'
                            AND s.created_at > now() - make_interval(days => $2))
        ORDER BY c.id
        LIMIT $5
       ON CONFLICT DO NOTHING
       RETURNING id::text, token_salt AS "tokenSalt"`,
      [period, periodDays, throttleDays, expiryDays, limit],
    );
    return rows;
  }

  async byTicketIds(tx: Tx, ids: readonly string[]): Promise<SurveyRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM surveys s WHERE s.ticket_id = ANY($1::bigint[]) ORDER BY s.id`,
      [ids],
    );
  }

  async byCustomerIds(tx: Tx, ids: readonly string[], limitEach: number): Promise<SurveyRow[]> {
    return tx.query(
      `SELECT * FROM (
         SELECT ${COLUMNS}, row_number() OVER (PARTITION BY s.customer_id ORDER BY s.created_at DESC, s.id DESC) AS rn
           FROM surveys s WHERE s.customer_id = ANY($1::bigint[])
       ) x WHERE rn <= $2 ORDER BY "customerId", "createdAt" DESC`,
      [ids, limitEach],
    );
  }

  /**
   * Survey KPIs over surveys sent in [from, to): sent, responded, CSAT (4–5 of all CSAT ratings),
   * CES sum/count, NPS categories; grouped by one key.
   */
  async stats(
    tx: Tx,
    f: { from: Date; to: Date; teamIds?: string[]; agentIds?: string[] },
    group: StatsGroup,
  ): Promise<StatsRow[]> {
    const team = GROUP_EXPR.team('');
    const agent = GROUP_EXPR.agent('');
    const where = `($3::bigint[] IS NULL OR ${team}::bigint = ANY($3))
          AND ($4::bigint[] IS NULL OR ${agent}::bigint = ANY($4))`;
    // each rating weighted by its customer's MRR when it was given (as supportKpis)
    const w = mrrAtSql('s.customer_id', 's.responded_at');
    const zero = (cols: string[]) => cols.map((c) => `0 AS ${c}`).join(', ');
    const SENT = ['sent', 'responded', 'csat_sent', 'csat_responded'];
    const ANSWERS = [
      'csat_responses',
      'csat_good',
      'csat_weight',
      'csat_good_weight',
      'ces_responses',
      'ces_sum',
      'nps_responses',
      'promoters',
      'passives',
      'detractors',
    ];
    return tx.query(
      `SELECT k AS "groupKey",
              sum(sent)::int AS sent, sum(responded)::int AS responded,
              sum(csat_sent)::int AS "csatSent", sum(csat_responded)::int AS "csatResponded",
              sum(csat_responses)::int AS "csatResponses", sum(csat_good)::int AS "csatGood",
              sum(csat_weight)::float8 AS "csatWeight", sum(csat_good_weight)::float8 AS "csatGoodWeight",
              sum(ces_responses)::int AS "cesResponses", sum(ces_sum)::int AS "cesSum",
              sum(nps_responses)::int AS "npsResponses", sum(promoters)::int AS promoters,
              sum(passives)::int AS passives, sum(detractors)::int AS detractors
         FROM (
           -- sending: surveys sent in [from, to), answered at any time
           SELECT ${GROUP_EXPR[group]('s.sent_at')} AS k, 1 AS sent, (s.responded_at IS NOT NULL)::int AS responded,
                  (s.kind = 'csat')::int AS csat_sent, (s.kind = 'csat' AND s.responded_at IS NOT NULL)::int AS csat_responded,
                  ${zero(ANSWERS)}
             FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id
            WHERE s.sent_at >= $1 AND s.sent_at < $2 AND ${where}
           UNION ALL
           -- answers: given in [from, to) (CSAT as in supportKpis: by answered date)
           SELECT ${GROUP_EXPR[group]('s.responded_at')}, ${zero(SENT)},
                  (s.kind = 'csat' AND s.score IS NOT NULL)::int,
                  (s.kind = 'csat' AND s.score >= 4)::int,
                  CASE WHEN s.kind = 'csat' AND s.score IS NOT NULL THEN ${w} ELSE 0 END,
                  CASE WHEN s.kind = 'csat' AND s.score >= 4 THEN ${w} ELSE 0 END,
                  (s.ces_score IS NOT NULL)::int, coalesce(s.ces_score, 0),
                  (s.kind = 'nps' AND s.score IS NOT NULL)::int,
                  (s.kind = 'nps' AND s.score >= 9)::int,
                  (s.kind = 'nps' AND s.score BETWEEN 7 AND 8)::int,
                  (s.kind = 'nps' AND s.score <= 6)::int
             FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id
            WHERE s.responded_at >= $1 AND s.responded_at < $2 AND s.score IS NOT NULL AND ${where}
         ) x
        GROUP BY k ORDER BY k NULLS FIRST`,
      [f.from, f.to, f.teamIds ?? null, f.agentIds ?? null],
    );
  }
}
