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
