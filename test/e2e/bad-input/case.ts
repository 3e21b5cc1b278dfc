/** One bad-input case: a GraphQL operation and the error it must get. */
export interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Expected `extensions.code` of the first error. */
  code: string;
  /** Part of the message a person should read (it names the field or the problem). */
  message?: RegExp;
}

/** Ids of the rows the cases point at (made by the runner's beforeAll). */
export type Ids = Record<string, string>;

export const LONG_SUBJECT = 'S'.repeat(501);
export const HUGE_BODY = 'B'.repeat(64 * 1024 + 1);
export const SQL = `'; DROP TABLE tickets; --`;
export const BAD_CURSOR = 'not-a-cursor';
export const INPUT = 'BAD_USER_INPUT';
export const INVALID = 'GRAPHQL_VALIDATION_FAILED';
