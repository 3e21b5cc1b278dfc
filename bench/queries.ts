import type { Pool } from 'pg';

/** Ids the read benchmarks need, looked up once from the generated data. */
export interface BenchContext {
  teamIds: string[];
  /** The last complete calendar quarter (UTC): [from, to). */
  quarter: { from: string; to: string };
}

function lastCompleteQuarter(now = new Date()): { from: string; to: string } {
  const q = Math.floor(now.getUTCMonth() / 3);
  const to = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1));
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 3, 1));
  return { from: from.toISOString(), to: to.toISOString() };
}

export interface ReadQuery {
  name: string;
  /** p95 target in ms. */
  p95: number;
  target: string;
  query: string;
  variables: (ctx: BenchContext) => Record<string, unknown>;
}

/**
 * The GraphQL reads `npm run bench` measures at 8 concurrent clients: the operations the agents',
 * team leads' and account managers' screens issue.
 */
export const BENCH_QUERIES = {
  async context(pool: Pool): Promise<BenchContext> {
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text FROM teams ORDER BY id`);
    return { teamIds: rows.map((r) => r.id), quarter: lastCompleteQuarter() };
  },
  reads: [
    {
      name: 'queue page (50 open tickets + customer, requester, assignee, last message)',
      p95: 50,
      target: 'p95 < 50 ms',
      query: `query($filter: TicketFilter) {
        tickets(first: 50, filter: $filter, orderBy: updated_desc) {
          edges { node {
            id subject status priority channel updatedAt nextDueAt
            customer { id name tier }
            requester { id name email }
            assignee { id name }
            lastMessage { id kind body createdAt }
          } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      variables: (ctx) => ({
        filter: { status: ['new', 'open', 'pending'], teamIds: [ctx.teamIds[0]] },
      }),
    },
    {
      name: 'KPI table (one quarter by team and week)',
      p95: 300,
      target: 'p95 < 300 ms',
      query: `query($filter: KpiFilter!) {
        supportKpis(filter: $filter, groupBy: ["team", "week"]) {
          rows {
            teamId periodStart hoursBasis source ticketsCreated ticketsSolved
            firstResponseTime { count medianHours p90Hours meanHours }
            resolutionTime { count medianHours p90Hours meanHours }
            requesterWaitTime { medianHours }
            slaFirstResponse { compliancePercent } slaResolution { compliancePercent }
            reopenRatePercent oneTouchPercent backlogAtEnd csatPercent csatResponseRatePercent
          }
        }
      }`,
      variables: (ctx) => ({ filter: { from: ctx.quarter.from, to: ctx.quarter.to } }),
    },
    {
      name: 'risk list, first page (25 by score)',
      p95: 300,
      target: 'p95 < 300 ms',
      query: `query {
        riskList(first: 25, orderBy: score) {
          totalCount
          edges { node {
            customerId score band scoreChange mrr riskWeightedMrr topFactors openTickets
            lastCsat npsCategory daysToRenewal openFollowUps owner { id name } customer { id name tier }
          } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      variables: () => ({}),
    },
    {
      name: 'risk list, first page (25 by revenue at risk)',
      p95: 300,
      target: 'p95 < 300 ms',
      query: `query {
        riskList(first: 25, orderBy: revenue_at_risk) {
          edges { node { customerId score band riskWeightedMrr topFactors customer { id name } } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      variables: () => ({}),
    },
    {
      name: 'risk list, first page (25 by expected value at risk)',
      p95: 300,
      target: 'p95 < 300 ms',
      query: `query {
        riskList(first: 25, orderBy: expected_value_at_risk) {
          edges { node { customerId score band expectedValueAtRisk expectedLifetimeValue lifetimeValue
            valueSegment valueBasis topFactors customer { id name } } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      variables: () => ({}),
    },
    {
      name: 'KPI table by value segment (one quarter, facts)',
      p95: 300,
      target: 'p95 < 300 ms',
      query: `query($filter: KpiFilter!) {
        supportKpis(filter: $filter, groupBy: ["segment"]) {
          rows { segment source ticketsCreated ticketsSolved
            firstResponseTime { count medianHours p90Hours } resolutionTime { medianHours }
            slaFirstResponse { compliancePercent } csatPercent csatResponseRatePercent }
        }
      }`,
      variables: (ctx) => ({ filter: { from: ctx.quarter.from, to: ctx.quarter.to } }),
    },
  ] satisfies ReadQuery[],
};
