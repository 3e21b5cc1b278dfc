import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { ErrorLink } from '@apollo/client/link/error';
import { RetryLink } from '@apollo/client/link/retry';
import { relayStylePagination } from '@apollo/client/utilities';
import { map } from 'rxjs';
import { connectivity } from './connectivity';
import { isUnavailable } from './errors';

/**
 * Same origin, so the httpOnly session cookie goes with every request and no token is ever in
 * JavaScript. Apollo Server's CSRF prevention accepts the request because it is
 * `application/json` (a "non-simple" request a foreign page cannot send without a preflight);
 * the `apollo-require-preflight` header makes that explicit. The cookie is SameSite=Strict too.
 */
export function createApolloClient(onSignedOut: () => void) {
  const http = new HttpLink({
    uri: '/graphql',
    credentials: 'same-origin',
    headers: { 'apollo-require-preflight': 'true' },
  });

  // queries are retried while the api is unreachable (a banner says so); mutations are not
  // (a reply must not be sent twice): the composer keeps the draft and the agent sends again
  const retry = new RetryLink({
    delay: { initial: 500, max: 5000, jitter: true },
    attempts: {
      max: 6,
      retryIf: (error, operation) => operation.operationType === 'query' && isUnavailable(error),
    },
  });

  const errors = new ErrorLink(({ error }) => {
    if (isUnavailable(error)) {
      connectivity.set(true);
      return;
    }
    if (
      CombinedGraphQLErrors.is(error) &&
      error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
    ) {
      onSignedOut();
    }
  });

  const reachable = new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      map((result) => {
        if (!result.errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) {
          connectivity.set(false);
        }
        return result;
      }),
    ),
  );

  return new ApolloClient({
    link: ApolloLink.from([errors, retry, reachable, http]),
    cache: new InMemoryCache({
      typePolicies: {
        // "Load 50 more" appends the next cursor page to the same list
        Query: { fields: { tickets: relayStylePagination(['filter', 'orderBy', 'first']) } },
        Ticket: { fields: { events: { merge: false }, tags: { merge: false } } },
        Customer: { fields: { contacts: { merge: false } } },
        // evidence ids are ticket, survey or message ids: one id names up to three objects
        RiskEvidence: { keyFields: ['kind', 'id'] },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}
