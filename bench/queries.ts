import type { Pool } from 'pg';

/** Ids the read benchmarks need, looked up once from the generated data. */
export interface BenchContext {
  teamIds: string[];
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
    return { teamIds: rows.map((r) => r.id) };
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
  ] satisfies ReadQuery[],
};
