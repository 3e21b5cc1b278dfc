import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import {
  DocumentNode,
  GraphQLError,
  GraphQLSchema,
  buildSchema,
  execute,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { Pool } from 'pg';

/**
 * The plain baseline of `npm run bench` (issue 19): the agents' queue page served by graphql-js
 * over `pg` with nothing else: no Nest, no Apollo, no DataLoader, one SQL statement with the
 * joins. It runs as its own process like the api, on the same HTTP server (Fastify 5, which the
 * api runs on through @nestjs/platform-fastify, so the comparison is of everything above the
 * HTTP server) with the api's connection pool size (PLAIN_POOL_SIZE, set by bench/run.ts from
 * the api's config).
 *
 * It does the work the api does for this page: verifies the bearer token (HS256, the same
 * secret), checks in the same statement that its user exists and is active, parses and
 * validates the document (cached by its text, as Apollo caches it), executes it and answers
 * JSON. What it leaves out: the token revocation check (a Redis EXISTS in the api), rate
 * limiting (lifted in the bench anyway), the depth/complexity rules, logging, metrics and
 * private-team rules beyond the admin the bench signs in as.
 */

const schema: GraphQLSchema = buildSchema(`
  enum TicketOrder { updated_desc }
  input TicketFilter { status: [String!] teamIds: [ID!] }
  type Customer { id: ID! name: String! tier: String }
  type Contact { id: ID! name: String email: String }
  type User { id: ID! name: String! }
  type Message { id: ID! kind: String! body: String! createdAt: String! }
  type Ticket {
    id: ID! subject: String! status: String! priority: String! channel: String!
    updatedAt: String! nextDueAt: String
    customer: Customer! requester: Contact! assignee: User lastMessage: Message
  }
  type TicketEdge { node: Ticket! cursor: String! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type TicketConnection { edges: [TicketEdge!]! pageInfo: PageInfo! }
  type Query { tickets(first: Int, filter: TicketFilter, orderBy: TicketOrder): TicketConnection! }
`);

interface Row {
  id: string;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  updated_at: Date;
  next_due_at: Date | null;
  updated_key: string;
  c_id: string;
  c_name: string;
  c_tier: string | null;
  r_id: string;
  r_name: string | null;
  r_email: string | null;
  a_id: string | null;
  a_name: string | null;
  m_id: string | null;
  m_kind: string | null;
  m_body: string | null;
  m_created_at: Date | null;
}

// One statement, the one the api's queue page runs (libs/tickets' `list` with its relations),
// written as the best hand-written form: the caller's user row (must be active), the page in
// queue order (the same conditions the api generates, so the same partial index serves it: a
// single team is an equality, no `$n IS NULL OR …` that would hide the index from the planner),
// and only then the page's customer, requester, assignee and latest message, as plain columns
// (no JSON). A slower statement here than in the api would flatter the api (issue 19).
function pageSql(teams: number): string {
  const team =
    teams === 0 ? '' : teams === 1 ? 'AND t.team_id = $3' : 'AND t.team_id = ANY($3::bigint[])';
  return `
  SELECT t.id::text, t.subject, t.status, t.priority, t.channel, t.updated_at, t.next_due_at,
         to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_key,
         c.id::text AS c_id, c.name AS c_name, c.tier AS c_tier,
         r.id::text AS r_id, r.name AS r_name, r.email AS r_email,
         a.id::text AS a_id, a.name AS a_name,
         m.id::text AS m_id, m.kind AS m_kind, m.body AS m_body, m.created_at AS m_created_at
    FROM (SELECT t.id, t.subject, t.status, t.priority, t.channel, t.updated_at, t.next_due_at,
                 t.customer_id, t.requester_id, t.assignee_id
            FROM tickets t
           WHERE EXISTS (SELECT 1 FROM users WHERE id = $1 AND active)
             AND t.status = ANY($2::text[]) ${team}
           ORDER BY t.updated_at DESC, t.id DESC
           LIMIT ${teams === 0 ? '$3' : '$4'}) t
    JOIN customers c ON c.id = t.customer_id
    JOIN contacts r ON r.id = t.requester_id
    LEFT JOIN users a ON a.id = t.assignee_id
    LEFT JOIN LATERAL (
      SELECT m.id, m.kind, m.body, m.created_at FROM ticket_messages m
       WHERE m.ticket_id = t.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1
    ) m ON true
   ORDER BY t.updated_at DESC, t.id DESC`;
}
const PAGE_SQL = [pageSql(0), pageSql(1), pageSql(2)];

interface Ctx {
  pool: Pool;
  userId: string;
}

const root = {
  async tickets(
    args: { first?: number; filter?: { status?: string[]; teamIds?: string[] } },
    ctx: Ctx,
  ) {
    const first = Math.min(Math.max(args.first ?? 25, 1), 100);
    const statuses = args.filter?.status ?? ['new', 'open', 'pending', 'on_hold'];
    const teams = args.filter?.teamIds ?? [];
    const { rows } = await ctx.pool.query<Row>(
      PAGE_SQL[Math.min(teams.length, 2)],
      teams.length === 0
        ? [ctx.userId, statuses, first + 1]
        : [ctx.userId, statuses, teams.length === 1 ? teams[0] : teams, first + 1],
    );
    const page = rows.slice(0, first);
    const cursor = (r: Row) =>
      Buffer.from(JSON.stringify(['tickets_updated_desc', r.updated_key, r.id])).toString(
        'base64url',
      );
    return {
      edges: page.map((r) => ({
        cursor: cursor(r),
        node: {
          id: r.id,
          subject: r.subject,
          status: r.status,
          priority: r.priority,
          channel: r.channel,
          updatedAt: r.updated_at.toISOString(),
          nextDueAt: r.next_due_at?.toISOString() ?? null,
          customer: { id: r.c_id, name: r.c_name, tier: r.c_tier },
          requester: { id: r.r_id, name: r.r_name, email: r.r_email },
          assignee: r.a_id ? { id: r.a_id, name: r.a_name } : null,
          lastMessage: r.m_id
            ? {
                id: r.m_id,
                kind: r.m_kind,
                body: r.m_body,
                createdAt: r.m_created_at!.toISOString(),
              }
            : null,
        },
      })),
      pageInfo: {
        hasNextPage: rows.length > first,
        endCursor: page.length ? cursor(page[page.length - 1]) : null,
      },
    };
  },
};

/** The subject of a valid, unexpired HS256 token (what jsonwebtoken checks for the api), or null. */
function verifyHs256(token: string, secret: Buffer): string | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return null;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
    sub?: string;
    exp?: number;
  };
  if (h.alg !== 'HS256' || !claims.sub) return null;
  if (claims.exp !== undefined && claims.exp * 1000 <= Date.now()) return null;
  return claims.sub;
}

async function main() {
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.PLAIN_POOL_SIZE ?? 10),
  });
  const secret = Buffer.from(process.env.JWT_SECRET ?? '');
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const app = Fastify({ logger: false });
  app.post('/graphql', async (request, reply) => {
    const auth = request.headers.authorization ?? '';
    const userId = verifyHs256(auth.replace(/^Bearer\s+/i, ''), secret);
    if (!userId) return reply.code(401).send({ errors: [{ message: 'the token is not valid' }] });
    const body = request.body as { query: string; variables?: Record<string, unknown> };
    let doc = documents.get(body.query);
    if (!doc) {
      try {
        const parsed = parse(body.query);
        const errors = validate(schema, parsed, specifiedRules);
        doc = errors.length ? errors : parsed;
      } catch (err) {
        doc = [err as GraphQLError];
      }
      documents.set(body.query, doc);
    }
    if (Array.isArray(doc)) {
      return reply.code(400).send({ errors: doc.map((e: GraphQLError) => e.toJSON()) });
    }
    const result = await execute({
      schema,
      document: doc as DocumentNode,
      rootValue: root,
      contextValue: { pool, userId } satisfies Ctx,
      variableValues: body.variables,
    });
    return reply.send(
      result.errors ? { ...result, errors: result.errors.map((e) => e.toJSON()) } : result,
    );
  });
  const port = Number(process.env.PORT);
  await app.listen({ port, host: '127.0.0.1' });
  console.log(`plain listening on ${port}`);
  const stop = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

void main();
