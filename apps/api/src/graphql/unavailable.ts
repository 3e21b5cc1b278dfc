import type { ApolloServerPlugin } from '@apollo/server';

/**
 * When PostgreSQL or Redis is unreachable the formatter answers `SERVICE_UNAVAILABLE`; if every
 * error of a response is that, the HTTP status becomes 503 with `Retry-After`, so load balancers,
 * proxies and clients treat it as a retryable outage rather than a successful (200) answer.
 * Likewise a response refused by a rate limit is 429 with `Retry-After`, and a request whose
 * variables do not coerce is 400 (Apollo answered 500 for those once Nest's 200 override is off).
 */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
]);

export const unavailableStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors;
        if (!errors?.length) return;
        if (errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) {
          response.http.status = 503;
          response.http.headers.set('retry-after', '2');
        } else if (
          (response.http.status ?? 200) >= 500 &&
          errors.every((e) => CLIENT_CODES.has(String(e.extensions?.code)))
        ) {
          // a variable that does not coerce is the caller's mistake: 400, not 500
          response.http.status = 400;
        } else if (errors.every((e) => e.extensions?.code === 'RATE_LIMITED')) {
          response.http.status = 429;
          const wait = Math.max(...errors.map((e) => Number(e.extensions?.retryAfterSeconds) || 1));
          response.http.headers.set('retry-after', String(wait));
        }
      },
    };
  },
};
