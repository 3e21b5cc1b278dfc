import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

/**
 * Apollo Server with graphql-jit as its executor (GRAPHQL_EXECUTOR=jit): Apollo's gateway
 * interface lets a server supply its own executor, so parsing, validation (depth and complexity
 * limits), plugins, error formatting and the HTTP integration stay Apollo's, and only the
 * execution of a validated document is graphql-jit's compiled plan, cached per document text
 * and operation name. Subscriptions do not go through Apollo (graphql-ws, libs/live).
 *
 * `schema` is read when Apollo starts (after Nest built and transformed it).
 */
export function jitGateway(schema: () => GraphQLSchema, maxPlans = 500): GatewayInterface {
  const plans = new Map<string, CompiledQuery | ExecutionResult>();
  const executor: GatewayExecutor = async (rc) => {
    const key = `${rc.operationName ?? ''}\u0000${rc.source}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = compileQuery(schema(), rc.document, rc.operationName ?? undefined);
      if (plans.size >= maxPlans) plans.delete(plans.keys().next().value as string);
      plans.set(key, plan);
    }
    if (!isCompiledQuery(plan)) return plan;
    return plan.query(undefined, rc.context, rc.request.variables ?? {});
  };
  return {
    load: () => Promise.resolve({ schema: schema(), executor }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema(), coreSupergraphSdl: '' });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}
