import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { DomainError } from '../errors/domain-error';
import { REDIS_CLIENT } from '../redis/redis-client.token';

// INCR the window's counter, give it a TTL on first use; returns [count, ttl ms].
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

/**
 * Fixed-window request counters in Redis, so a limit holds across any number of api processes.
 * It fails open: when Redis is down or slow (> 250 ms) the request goes through, because the
 * api must keep serving writes during a Redis outage (see docs/reliability.md); the login
 * lockout in PostgreSQL still protects passwords then.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Counts one hit on `scope:id`; throws RATE_LIMITED once more than `limit` hits fall in the
   * current window. `limit` 0 turns the check off.
   */
  async hit(scope: string, id: string, limit: number, windowSeconds = 60): Promise<void> {
    if (limit <= 0) return;
    const windowMs = windowSeconds * 1000;
    const key = `${this.config.redis.prefix}:rl:${scope}:${id}`;
    let result: [number, number] | undefined;
    try {
      result = (await Promise.race([
        this.redis.eval(HIT, 1, key, String(windowMs)),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 250).unref()),
      ])) as [number, number];
    } catch {
      return; // fail open
    }
    const [count, ttl] = result;
    if (count > limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000));
      throw new DomainError(
        'RATE_LIMITED',
        `too many requests (${scope}): the limit is ${limit} per ${windowSeconds} s; retry in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
  }
}
