import { ExecutionArgs, ExecutionResult, createSourceEventStream, execute } from 'graphql';
import type { LiveContext } from './live-connection';

type Result = ExecutionResult | Promise<ExecutionResult>;

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> =>
  typeof (x as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/**
 * graphql-ws's `subscribe`: graphql-js's, except that one event pushed to many subscribers (the
 * hub hands them the same object) is executed once per distinct (document, variables,
 * role, team, and the lead's id) and the result shared. Field resolvers that depend on the
 * caller depend on role and team only, and for team leads on the private teams they lead
 * (mayReadTicket: the customer timeline, evidence lists); one that looked at more would have to
 * be added to the key. 1,000 consoles on the same queue then cost a handful of executions per
 * event instead of 1,000.
 */
export async function sharedSubscribe(args: ExecutionArgs) {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const ctx = args.contextValue as LiveContext;
  const key = [
    args.document.loc?.source.body ?? '',
    args.operationName ?? '',
    JSON.stringify(args.variableValues ?? {}),
    ctx.live.actor.role,
    ctx.live.actor.teamIds.join(','),
    ctx.live.actor.role === 'team_lead' ? ctx.live.actor.id : '',
  ].join('\u0000');
  const iterator = source[Symbol.asyncIterator]();
  const run = (payload: unknown): Result => {
    if (typeof payload !== 'object' || payload === null || 'end' in payload) {
      return execute({ ...args, rootValue: payload });
    }
    let byKey = results.get(payload);
    if (!byKey) results.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) {
      result = execute({ ...args, rootValue: payload });
      byKey.set(key, result);
    }
    return result;
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await iterator.next();
      if (r.done) return { done: true, value: undefined };
      return { done: false, value: await run(r.value) };
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      await iterator.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}

/** Results by event object: gone with the event (a WeakMap keeps nothing alive). */
const results = new WeakMap<object, Map<string, Result>>();
