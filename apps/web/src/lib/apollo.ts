import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { ErrorLink } from '@apollo/client/link/error';
import { RetryLink } from '@apollo/client/link/retry';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { finalize, map } from 'rxjs';
import { connectivity } from './connectivity';
import { isUnavailable } from './errors';

let inFlight = 0;
/**
 * Mutations sent and not answered yet: a live event about a change of our own can arrive before
 * the mutation's answer, and must not look like someone else's change meanwhile.
 */
export const mutationsInFlight = () => inFlight;

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

  const counting = new ApolloLink((operation, forward) => {
    // a presence heartbeat changes no ticket
    if (
      operation.operationType !== OperationTypeNode.MUTATION ||
      operation.operationName === 'ReportPresence'
    )
      return forward(operation);
    inFlight++;
    return forward(operation).pipe(finalize(() => inFlight--));
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

  // subscriptions over graphql-ws on the same path; the browser sends the session cookie with
  // the upgrade request, which the api authenticates (libs/live). The socket opens with the
  // first subscription, reconnects by itself (also after a 1012 "service restart"), and closes
  // a moment after the last one ends.
  const ws = new GraphQLWsLink(
    createClient({
      url: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      lazy: true,
      lazyCloseTimeout: 3000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
    }),
  );
  const isSubscription = (op: ApolloLink.Operation) =>
    op.operationType === OperationTypeNode.SUBSCRIPTION;

  return new ApolloClient({
    link: ApolloLink.split(
      isSubscription,
      ws,
      ApolloLink.from([counting, errors, retry, reachable, http]),
    ),
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
