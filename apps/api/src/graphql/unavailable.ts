import type { ApolloServerPlugin } from '@apollo/server';

/**
 * When PostgreSQL or Redis is unreachable the formatter answers `SERVICE_UNAVAILABLE`; if every
 * error of a response is that, the HTTP status becomes 503 with `Retry-After`, so load balancers,
 * proxies and clients treat it as a retryable outage rather than a successful (200) answer.
 * Likewise a response refused by a rate limit is 429 with `Retry-After`.
 */
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
        } else if (errors.every((e) => e.extensions?.code === 'RATE_LIMITED')) {
          response.http.status = 429;
          const wait = Math.max(...errors.map((e) => Number(e.extensions?.retryAfterSeconds) || 1));
          response.http.headers.set('retry-after', String(wait));
        }
      },
    };
  },
};
