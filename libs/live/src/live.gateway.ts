import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Context, ServerOptions } from 'graphql-ws';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { WebSocket } from 'ws';
import { APP_CONFIG, AppConfig, DomainError, REDIS_CLIENT, RequestLoaders } from '@staydesk/core';
import { Actor, IdentityService } from '@staydesk/identity';
import { Metrics } from '@staydesk/telemetry';
import { FrameBatcher } from './frame-batcher';
import { LIVE_ERROR_CODES, LiveConnection, LiveContext, refetchError } from './live-connection';
import { cachedParsing, sharedSubscribe } from './shared-execution';
import { visibilityKey } from './visibility';

type Extra = { socket: WebSocket; request: IncomingMessage };
type Ctx = Context<Record<string, unknown> | undefined, Extra>;
type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * WebSocket close codes (4000-4999 are the application's; graphql-ws itself uses 4400, 4401,
 * 4403, 4406, 4408, 4409, 4429 and 4500, and its 4401/4403 mean what ours do).
 */
export const CLOSE = {
  unauthenticated: 4401,
  forbidden: 4403,
  idle: 4001,
  tooManyConnections: 4029,
  unavailable: 4503,
  accessChanged: 4010,
} as const;

/** The bearer token of an upgrade: connection_init's `authorization` first, then the sd_session cookie. */
export function tokenOf(
  params: Record<string, unknown> | undefined,
  cookieHeader: string | undefined,
): string | null {
  const auth = params?.authorization ?? params?.Authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'sd_session') {
      const raw = part.slice(eq + 1).trim();
      let v = raw;
      try {
        v = decodeURIComponent(raw);
      } catch {
        // not percent-encoded: the token as sent (authenticate refuses it if it is garbage)
      }
      if (v) return v;
    }
  }
  return null;
}

/** How long one token's re-check answers for every connection holding it. */
const RECHECK_SHARE_MS = 1000;

/**
 * Live frames (FrameBatcher): writing them may take `LIVE_FLUSH_SHARE_PERCENT` (10 %) of an api
 * process's time after a lone event and `LIVE_FLUSH_BUSY_SHARE_PERCENT` (1 %) while events
 * stream in; beyond that, frames wait (at most `LIVE_FLUSH_MAX_MS`, 250 ms) and each socket gets
 * what came meanwhile in one write. A lone event goes out at once. A socket holds at most half
 * of `LIVE_BUFFER_EVENTS` frames in the batcher, so only frames the socket itself has not
 * written can make a subscription overflow.
 */
export const liveFlush = (live: AppConfig['live']) => ({
  share: live.flushSharePercent / 100,
  busyShare: live.flushBusySharePercent / 100,
  maxWindowMs: live.flushMaxMs,
  maxFrames: Math.max(1, Math.floor(live.bufferEvents / 2)),
});

/** A close reason fits in a control frame (123 bytes). */
const reason = (text: string) => {
  const b = Buffer.from(text);
  return b.length <= 123 ? text : `${b.subarray(0, 120).toString()}...`;
};

/**
 * graphql-ws on /graphql: signs each connection in (the same token and checks as HTTP), caps
 * connections per user (a Redis sorted set, so the cap holds over all api processes) and
 * subscriptions per connection, closes idle connections, re-checks the user every
 * LIVE_REAUTH_MS (a deactivated user's or a revoked token's subscriptions end), and formats
 * errors like the HTTP endpoint does.
 */
@Injectable()
export class LiveGateway implements OnApplicationBootstrap {
  private readonly connections = new WeakMap<WebSocket, LiveConnection>();
  private readonly sockets = new Set<WebSocket>();
  private readonly upgraded = new Set<Socket>();
  private readonly rechecks = new Map<string, { at: number; actor: Promise<Actor> }>();
  private readonly batcher: FrameBatcher;

  constructor(
    private readonly identity: IdentityService,
    private readonly host: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(LiveGateway.name) private readonly logger: PinoLogger,
  ) {
    this.batcher = new FrameBatcher(liveFlush(config.live));
  }

  /**
   * Shutdown: the HTTP server's close waits for every connection, and WebSockets never end by
   * themselves, so before it closes (Fastify's preClose) each socket is told to go (1012
   * "service restart": graphql-ws clients reconnect, to another process) and what is still
   * open a second later is cut.
   */
  onApplicationBootstrap(): void {
    const adapter = this.host.httpAdapter;
    if (!adapter) return;
    const server = adapter.getHttpServer() as Server;
    server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
    });
    const fastify = adapter.getInstance() as {
      addHook?: (name: 'preClose', hook: () => Promise<void>) => void;
    };
    fastify.addHook?.('preClose', () => this.closeAll());
  }

  async closeAll(graceMs = 1000): Promise<void> {
    for (const ws of this.sockets) ws.close(1012, 'the server is restarting: reconnect');
    const deadline = Date.now() + graceMs;
    while (this.upgraded.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const socket of this.upgraded) socket.destroy();
  }

  /** The options for `subscriptions: { 'graphql-ws': … }` of the GraphQL module. */
  serverOptions(format: Formatter): GraphQLWsSubscriptionsConfig {
    const limits = this.config.live;
    const formatAll = (errors: readonly GraphQLError[]) =>
      errors.map((e) => {
        const original = e.originalError;
        const code = (original instanceof GraphQLError ? original : e).extensions?.code;
        if (typeof code === 'string' && LIVE_ERROR_CODES.has(code)) {
          return { message: e.message, path: e.path, extensions: { code } };
        }
        return format(e.toJSON(), e);
      });
    const options: Partial<ServerOptions<Record<string, unknown> | undefined, Extra>> = {
      connectionInitWaitTimeout: 5000,
      ...cachedParsing(),
      subscribe: sharedSubscribe({
        batcher: this.batcher,
        capacity: limits.bufferEvents,
        overflow: () => refetchError(limits.bufferEvents),
        format: (result) =>
          result.errors ? { ...result, errors: formatAll(result.errors) } : result,
      }),
      onConnect: (ctx: Ctx) => this.connect(ctx),
      onSubscribe: (ctx: Ctx) => {
        const conn = this.connections.get(ctx.extra.socket);
        if (conn) conn.lastActive = Date.now();
        // graphql-ws has registered this one already
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptions) {
          return [
            new GraphQLError(
              `at most ${limits.maxSubscriptions} subscriptions per connection: complete one before starting another`,
              { extensions: { code: 'RATE_LIMITED' } },
            ),
          ];
        }
        if (conn) {
          conn.subscriptions++;
          Metrics.subscriptions.inc();
        }
        return undefined;
      },
      onComplete: (ctx: Ctx) => {
        const conn = this.connections.get(ctx.extra.socket);
        if (!conn) return;
        conn.lastActive = Date.now();
        if (conn.subscriptions > 0) {
          conn.subscriptions--;
          Metrics.subscriptions.dec();
        }
      },
      context: (ctx: Ctx, id: string): LiveContext => {
        const conn = this.connections.get(ctx.extra.socket)!;
        return {
          actor: conn.actor,
          live: conn,
          loaders: new RequestLoaders(this.moduleRef),
          req: { ip: ctx.extra.request.socket.remoteAddress, headers: {} },
          output: { socket: ctx.extra.socket, id },
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatAll(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
      onClose: async (ctx: Ctx) => {
        const conn = this.connections.get(ctx.extra.socket);
        if (!conn) return;
        this.connections.delete(ctx.extra.socket);
        if (conn.subscriptions > 0) Metrics.subscriptions.dec(conn.subscriptions);
        await this.redis.zrem(this.connKey(conn.actor.id), conn.id).catch(() => undefined);
      },
    };
    // Nest's type names only some hooks, but GqlSubscriptionService hands the whole object to
    // graphql-ws's useServer (context, onError and onComplete included)
    return options as unknown as GraphQLWsSubscriptionsConfig;
  }

  private connKey(userId: string) {
    return `${this.config.redis.prefix}:live:connections:${userId}`;
  }

  private async connect(ctx: Ctx): Promise<boolean> {
    const socket = ctx.extra.socket;
    const close = (code: number, text: string) => {
      socket.close(code, reason(text));
      return false;
    };
    const token = tokenOf(ctx.connectionParams, ctx.extra.request.headers.cookie);
    if (!token) {
      return close(
        CLOSE.unauthenticated,
        'sign in first: send { authorization: "Bearer <token>" } in connection_init, or the sd_session cookie',
      );
    }
    let actor;
    try {
      actor = await this.identity.authenticate(token);
    } catch (err) {
      if (err instanceof DomainError) return close(CLOSE.unauthenticated, err.message);
      this.logger.warn({ err }, 'live connection: sign-in check failed');
      return close(
        CLOSE.unavailable,
        'the service is temporarily unavailable, please retry shortly',
      );
    }
    const conn: LiveConnection = {
      id: randomUUID(),
      token,
      actor,
      lastActive: Date.now(),
      subscriptions: 0,
    };
    const limits = this.config.live;
    try {
      if (!(await this.claimSlot(conn))) {
        return close(
          CLOSE.tooManyConnections,
          `too many live connections: at most ${limits.maxConnectionsPerUser} per user; close another tab`,
        );
      }
    } catch {
      return close(CLOSE.unavailable, 'live updates are unavailable: Redis is unreachable');
    }
    this.connections.set(socket, conn);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // re-check who it is (deactivation, revoked or expired token) and close idle connections
    const tick = Math.min(limits.reauthMs, Math.max(250, Math.floor(limits.idleTimeoutMs / 4)));
    let sinceAuth = 0;
    const timer = setInterval(() => {
      if (
        Object.keys(ctx.subscriptions).length === 0 &&
        Date.now() - conn.lastActive > limits.idleTimeoutMs
      ) {
        close(
          CLOSE.idle,
          `closed after ${Math.round(limits.idleTimeoutMs / 1000)} s without a subscription`,
        );
        return;
      }
      sinceAuth += tick;
      if (sinceAuth >= limits.reauthMs) {
        sinceAuth = 0;
        void this.recheck(conn, close);
      }
    }, tick);
    timer.unref();
    socket.once('close', () => clearInterval(timer));
    return true;
  }

  /**
   * The periodic re-check of one token, shared by the connections that hold it for a second:
   * a console with many tabs (or the bench's 1,000 sockets) costs one check per token, not one
   * per connection.
   */
  private recheckToken(token: string): Promise<Actor> {
    const now = Date.now();
    const hit = this.rechecks.get(token);
    if (hit && now - hit.at < RECHECK_SHARE_MS) return hit.actor;
    if (this.rechecks.size >= 1000) {
      for (const [k, v] of this.rechecks)
        if (now - v.at >= RECHECK_SHARE_MS) this.rechecks.delete(k);
    }
    const actor = this.identity.authenticate(token);
    actor.catch(() => undefined);
    this.rechecks.set(token, { at: now, actor });
    return actor;
  }

  private async recheck(conn: LiveConnection, close: (code: number, text: string) => boolean) {
    const was = conn.actor;
    try {
      conn.actor = await this.recheckToken(conn.token);
    } catch (err) {
      if (err instanceof DomainError) close(CLOSE.forbidden, err.message);
      return; // PostgreSQL unreachable: keep the connection, check again next time
    }
    // a subscription's execution (its context's actor, the shared-execution key) is the
    // caller's as it was when it subscribed: after a change of role or teams, the client
    // subscribes again (graphql-ws clients reconnect) rather than go on seeing the old view
    if (was.role !== conn.actor.role || visibilityKey(was) !== visibilityKey(conn.actor)) {
      close(
        CLOSE.accessChanged,
        'your role or teams changed: reconnect and subscribe again to see what you may see now',
      );
      return;
    }
    await this.redis
      .zadd(this.connKey(conn.actor.id), Date.now() + this.slotTtl(), conn.id)
      .catch(() => undefined);
  }

  private slotTtl() {
    return this.config.live.reauthMs * 3 + 10_000;
  }

  /** One slot in the user's set (entries of crashed processes expire); false when it is full. */
  private async claimSlot(conn: LiveConnection): Promise<boolean> {
    const key = this.connKey(conn.actor.id);
    const now = Date.now();
    const res = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.slotTtl(), conn.id)
      .zcard(key)
      .pexpire(key, this.slotTtl())
      .exec();
    const count = Number(res?.[2]?.[1] ?? 0);
    if (count > this.config.live.maxConnectionsPerUser) {
      await this.redis.zrem(key, conn.id);
      return false;
    }
    return true;
  }
}
