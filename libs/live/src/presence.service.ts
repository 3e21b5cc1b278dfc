import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig, REDIS_CLIENT } from '@staydesk/core';
import { liveChannel, LiveEvent } from './live-events';

export interface Viewer {
  userId: string;
  composing: boolean;
  seenAt: Date;
}

/**
 * Who has a ticket open: ephemeral state in Redis, never in PostgreSQL. One hash per ticket,
 * a field per user holding `{composing, seenAt}`; an entry older than the TTL is gone (readers
 * skip and delete it), and the hash itself expires when nobody sends heartbeats any more.
 * Every report is announced on the live channel so each api process refreshes its
 * `ticketViewers` subscribers; expiry is noticed by the hub's sweep.
 */
@Injectable()
export class PresenceService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(ticketId: string) {
    return `${this.config.redis.prefix}:live:presence:${ticketId}`;
  }

  async report(userId: string, ticketId: string, composing: boolean, leaving: boolean) {
    const key = this.key(ticketId);
    const ttl = this.config.live.presenceTtlMs;
    const multi = this.redis.multi();
    if (leaving) multi.hdel(key, userId);
    else multi.hset(key, userId, JSON.stringify({ composing, seenAt: Date.now() }));
    multi.pexpire(key, ttl * 2);
    const event: LiveEvent = { kind: 'presence', ticketId };
    multi.publish(liveChannel(this.config.redis.prefix), JSON.stringify(event));
    await multi.exec();
  }

  /** The current viewers of a ticket, oldest heartbeat first; drops the expired ones. */
  async viewers(ticketId: string, now = Date.now()): Promise<Viewer[]> {
    const key = this.key(ticketId);
    const all = await this.redis.hgetall(key);
    const live: Viewer[] = [];
    const expired: string[] = [];
    for (const [userId, raw] of Object.entries(all)) {
      const v = parse(raw);
      if (!v || now - v.seenAt > this.config.live.presenceTtlMs) expired.push(userId);
      else live.push({ userId, composing: v.composing, seenAt: new Date(v.seenAt) });
    }
    if (expired.length > 0) await this.redis.hdel(key, ...expired);
    return live.sort(
      (a, b) => a.seenAt.getTime() - b.seenAt.getTime() || (a.userId < b.userId ? -1 : 1),
    );
  }
}

function parse(raw: string): { composing: boolean; seenAt: number } | null {
  try {
    const v = JSON.parse(raw) as { composing?: unknown; seenAt?: unknown };
    return typeof v.seenAt === 'number'
      ? { composing: v.composing === true, seenAt: v.seenAt }
      : null;
  } catch {
    return null;
  }
}
