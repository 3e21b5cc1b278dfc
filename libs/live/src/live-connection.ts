import { GraphQLError } from 'graphql';
import type { RequestLoaders } from '@staydesk/core';
import type { Actor } from '@staydesk/identity';
import type { LiveOutput } from './shared-execution';

/** One graphql-ws connection: who it is (re-checked every LIVE_REAUTH_MS) and when it last did something. */
export interface LiveConnection {
  id: string;
  token: string;
  actor: Actor;
  lastActive: number;
  /** Subscriptions open on it (for the open-subscriptions gauge). */
  subscriptions: number;
}

/** The GraphQL context of a subscription operation (one per subscribe message). */
export interface LiveContext {
  actor: Actor;
  live: LiveConnection;
  loaders: RequestLoaders;
  req: { ip?: string; headers: Record<string, string | undefined> };
  /** The socket and graphql-ws id the subscription's events are written to (sharedSubscribe). */
  output?: LiveOutput;
}

/** One item of a subscription's stream: an event (with the DataLoaders of its dispatch) or the end. */
export type Delivery<T> = { value: T; loaders: RequestLoaders } | { end: GraphQLError };

export const LIVE_ERROR_CODES = new Set(['REFETCH', 'SERVICE_UNAVAILABLE']);

export const refetchError = (bufferEvents: number) =>
  new GraphQLError(
    `this subscription fell behind (more than ${bufferEvents} events waiting) and was ended: refetch what you show and subscribe again`,
    { extensions: { code: 'REFETCH' } },
  );

export const unavailableError = () =>
  new GraphQLError(
    'live updates stopped: Redis, which carries events between api processes, is unreachable; subscribe again and refetch when it is back',
    { extensions: { code: 'SERVICE_UNAVAILABLE' } },
  );

/**
 * The `resolve` of every subscription: unwraps an event for the selection set (with fresh
 * per-event loaders and the connection's current user), or turns the end into the error the
 * client sees before `complete`.
 */
export function deliver<T>(payload: Delivery<T>, _args: unknown, ctx: LiveContext): T {
  if ('end' in payload) throw payload.end;
  ctx.loaders = payload.loaders;
  ctx.actor = ctx.live.actor;
  return payload.value;
}
