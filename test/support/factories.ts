import bcrypt from 'bcryptjs';
import type { TestStack } from './stack';

export const PASSWORD = 'correct-horse-battery';
let hash: string | undefined;

/** Inserts a user straight into the database (the first admin, typically) and returns its id. */
export async function insertUser(
  stack: TestStack,
  u: { email: string; role: string; name?: string; teamId?: string | null },
): Promise<string> {
  hash ??= await bcrypt.hash(PASSWORD, 4);
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO users (email, name, password_hash, role, team_id) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
    [u.email, u.name ?? u.email.split('@')[0], hash, u.role, u.teamId ?? null],
  );
  return rows[0].id;
}

export async function login(stack: TestStack, email: string, password = PASSWORD): Promise<string> {
  const res = await stack.gql<{ login: { token: string } }>(
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
    { e: email, p: password },
  );
  if (!res.data) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
  return res.data.login.token;
}

/** Runs a GraphQL operation as `token` and returns data, failing loudly on errors. */
export async function ok<T = any>(
  stack: TestStack,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const res = await stack.gql<T>(query, variables, { token });
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

/** Runs an operation expected to fail and returns its first error. */
export async function fails(
  stack: TestStack,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
) {
  const res = await stack.gql(query, variables, { token });
  if (!res.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(res.data)}`);
  return res.errors[0];
}

/**
 * Inserts a ticket with a hand-made SLA history (times as ISO text): first response at
 * `replied` (or none), solved at `solved` (or open); returns its id.
 */
export async function insertSlaTicket(
  stack: TestStack,
  t: {
    customerId: string;
    requesterId: string;
    teamId: string | null;
    assigneeId?: string | null;
    subject?: string;
    created: string;
    replied?: string;
    frDue: string;
    solved?: string;
    resDue: string;
  },
): Promise<string> {
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO tickets (customer_id, requester_id, team_id, assignee_id, subject, channel, priority, status,
                          created_at, first_response_at, first_response_due_at, solved_at, resolution_due_at)
     VALUES ($1, $2, $3, $4, $5, 'email', 'normal', $6, $7, $8, $9, $10, $11) RETURNING id::text`,
    [
      t.customerId,
      t.requesterId,
      t.teamId,
      t.assigneeId ?? null,
      t.subject ?? 'help',
      t.solved ? 'solved' : 'open',
      t.created,
      t.replied ?? null,
      t.frDue,
      t.solved ?? null,
      t.resDue,
    ],
  );
  return rows[0].id;
}

/**
 * Inserts the answered CSAT survey of a ticket's first solve: sent an hour before the answer at
 * `at`, open for 14 days; returns its id.
 */
export async function insertAnsweredCsat(
  stack: TestStack,
  s: {
    ticketId: string;
    contactId: string;
    customerId: string;
    at: string;
    score: number;
    ces?: number | null;
    comment?: string | null;
  },
): Promise<string> {
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash,
                          sent_at, expires_at, responded_at, score, ces_score, comment)
     VALUES ('csat', $1, 1, $2, $3, 's', md5(random()::text), $4::timestamptz - interval '1 hour',
             $4::timestamptz + interval '14 days', $4, $5, $6, $7)
     RETURNING id::text`,
    [s.ticketId, s.contactId, s.customerId, s.at, s.score, s.ces ?? null, s.comment ?? null],
  );
  return rows[0].id;
}
