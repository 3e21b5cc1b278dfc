import { RawBuilder, sql } from 'kysely';
import { mrrAtSql } from '@staydesk/customers';
import { Tx, db } from '@staydesk/core';

/**
 * The survey KPIs (surveyStats): one hand-written aggregate over a UNION ALL of the sending and
 * the answering side of every survey in the range, as a typed SQL template (decision 46) whose
 * result rows are {@link StatsRow}. Moved out of surveys.repository.ts unchanged.
 */

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

export type StatsGroup = 'none' | 'team' | 'agent' | 'week' | 'month' | 'kind' | 'segment';

/**
 * Group expressions; `at` is the anchor of the part (sent_at for sending figures, responded_at
 * for answers). Team and agent are the ticket's current team and assignee, as in supportKpis
 * (the survey's own for relationship NPS, which has no ticket); weeks and months are UTC.
 * Trusted fragments written here (no user text), spliced with `sql.raw`.
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

/**
 * Survey KPIs over surveys sent in [from, to): sent, responded, CSAT (4–5 of all CSAT ratings),
 * CES sum/count, NPS categories; grouped by one key.
 */
export async function surveyStats(
  tx: Tx,
  f: { from: Date; to: Date; teamIds?: string[]; agentIds?: string[] },
  group: StatsGroup,
): Promise<StatsRow[]> {
  const team = GROUP_EXPR.team('');
  const agent = GROUP_EXPR.agent('');
  const teamIds = f.teamIds ?? null;
  const agentIds = f.agentIds ?? null;
  const where = (): RawBuilder<boolean> =>
    sql<boolean>`(${teamIds}::bigint[] IS NULL OR ${sql.raw(team)}::bigint = ANY(${teamIds}::bigint[]))
          AND (${agentIds}::bigint[] IS NULL OR ${sql.raw(agent)}::bigint = ANY(${agentIds}::bigint[]))`;
  // each rating weighted by its customer's MRR when it was given (as supportKpis)
  const w = sql.raw(mrrAtSql('s.customer_id', 's.responded_at'));
  const zero = (cols: string[]) => sql.raw(cols.map((c) => `0 AS ${c}`).join(', '));
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
  const { rows } = await sql<StatsRow>`
    SELECT k AS "groupKey",
            sum(sent)::int AS sent, sum(responded)::int AS responded,
            sum(csat_sent)::int AS "csatSent", sum(csat_responded)::int AS "csatResponded",
            sum(csat_responses)::int AS "csatResponses", sum(csat_good)::int AS "csatGood",
            sum(csat_weight)::float8 AS "csatWeight", sum(csat_good_weight)::float8 AS "csatGoodWeight",
            sum(ces_responses)::int AS "cesResponses", sum(ces_sum)::int AS "cesSum",
            sum(nps_responses)::int AS "npsResponses", sum(promoters)::int AS promoters,
            sum(passives)::int AS passives, sum(detractors)::int AS detractors
       FROM (
         -- sending: surveys sent in [from, to), answered at any time
         SELECT ${sql.raw(GROUP_EXPR[group]('s.sent_at'))} AS k, 1 AS sent, (s.responded_at IS NOT NULL)::int AS responded,
                (s.kind = 'csat')::int AS csat_sent, (s.kind = 'csat' AND s.responded_at IS NOT NULL)::int AS csat_responded,
                ${zero(ANSWERS)}
           FROM surveys s LEFT JOIN tickets t ON t.id = s.ticket_id
          WHERE s.sent_at >= ${f.from} AND s.sent_at < ${f.to} AND ${where()}
         UNION ALL
         -- answers: given in [from, to) (CSAT as in supportKpis: by answered date)
         SELECT ${sql.raw(GROUP_EXPR[group]('s.responded_at'))}, ${zero(SENT)},
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
          WHERE s.responded_at >= ${f.from} AND s.responded_at < ${f.to} AND s.score IS NOT NULL AND ${where()}
       ) x
      GROUP BY k ORDER BY k NULLS FIRST`.execute(db(tx));
  return rows;
}
