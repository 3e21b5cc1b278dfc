import type { ApolloServerPlugin } from '@apollo/server';
import { Metrics } from '@staydesk/telemetry';

/** Distinct operation names kept as label values; more become "other" (clients choose names). */
const MAX_OPERATION_NAMES = 300;
const seen = new Set<string>();

function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,79}$/.test(name)) return 'invalid';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATION_NAMES) return 'other';
  seen.add(name);
  return name;
}

/**
 * GraphQL operation latency by operation name and type, and the errors answered by their
 * `extensions.code` (read after the error formatter, so the codes are the public ones).
 */
export const graphqlMetricsPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    const started = performance.now();
    return {
      async willSendResponse({ operation, operationName, response }) {
        Metrics.graphqlDuration.observe(
          {
            operation_name: operationLabel(operation ? operationName : null),
            operation_type: operation?.operation ?? 'invalid',
          },
          (performance.now() - started) / 1000,
        );
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          const code = error.extensions?.code;
          Metrics.graphqlErrors.inc({
            code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
          });
        }
      },
    };
  },
};
