import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { REDIS_CLIENT } from '../redis/redis-client.token';
import { JobData, JobName, jobConfig } from './jobs';

/** Jobs that handle the members of one debounce window together (payload `{ window }`). */
export type WindowJobName = {
  [N in JobName]: JobData<N> extends { window: number } ? N : never;
}[JobName];

/** A window's members outlive a failed job by this much at most (the nightly run covers them). */
export const WINDOW_MEMBERS_TTL_SECONDS = 24 * 3600;
/**
 * A claimed window stays closed this long: only relay batches whose clock was inside the window
 * can still try to add to it, within seconds of its end.
 */
export const WINDOW_CLOSED_TTL_SECONDS = 3600;

// Adds the members to the first window from ARGV[2] on that no job has claimed yet, and returns
// it. ARGV: key prefix, window, members' TTL, members…
const ADD = `
local w = tonumber(ARGV[2])
while redis.call('EXISTS', ARGV[1] .. w .. ':closed') == 1 do w = w + 1 end
local key = ARGV[1] .. w
for i = 4, #ARGV, 5000 do
  redis.call('SADD', key, unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
redis.call('EXPIRE', key, ARGV[3])
return w`;

// Closes the window (later adds go to the next one) and returns its members. KEYS: members,
// closed marker; ARGV: the marker's TTL.
const CLAIM = `
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
return redis.call('SMEMBERS', KEYS[1])`;

/** The window (its index since the epoch) that `now` falls in, and when it ends (ms). */
export function windowOf(now: number, windowMs: number): { window: number; endsAt: number } {
  const ms = Math.max(1, windowMs);
  const window = Math.floor(now / ms);
  return { window, endsAt: (window + 1) * ms };
}

/** The deterministic job id of a window job (JOB_CONFIG's). */
export function windowJobId(name: WindowJobName, window: number): string {
  const id = jobConfig(name).jobId?.({ window });
  if (!id) throw new Error(`${name} has no deterministic job id`);
  return id;
}

/**
 * Debounce windows as Redis sets: the outbox relay adds each event's member (a customer) to its
 * window's set and publishes ONE job for the window; the job claims the set when it runs and
 * handles the members together, removing each chunk once it is done.
 *
 * - Claiming closes the window atomically (a marker key): an add that arrives after the claim,
 *   from a relay batch whose clock was still inside the window, goes to the next window, whose
 *   job the relay then publishes. No member is added to a window whose job has already read it.
 * - The set is only emptied chunk by chunk after each chunk's transaction committed: a job that
 *   fails or is killed mid-way leaves the rest for its retry (a chunk done twice is rescored
 *   twice, with the same result).
 * - Every key expires: members a day after their last add (a job that failed for good), closed
 *   markers after an hour.
 */
@Injectable()
export class JobWindows {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The key of a window's members (its closed marker appends `:closed`). */
  key(name: WindowJobName, window: number): string {
    return `${this.prefix(name)}${window}`;
  }

  /** Adds members to `window`, or to the first later window not yet claimed; returns it. */
  async add(name: WindowJobName, window: number, members: readonly string[]): Promise<number> {
    if (members.length === 0) return window;
    const used = await this.redis.eval(
      ADD,
      0,
      this.prefix(name),
      String(window),
      String(WINDOW_MEMBERS_TTL_SECONDS),
      ...members,
    );
    return Number(used);
  }

  /** Closes the window and returns its members not yet done (all of them on a first run). */
  async claim(name: WindowJobName, window: number): Promise<string[]> {
    const key = this.key(name, window);
    return (await this.redis.eval(
      CLAIM,
      2,
      key,
      `${key}:closed`,
      String(WINDOW_CLOSED_TTL_SECONDS),
    )) as string[];
  }

  /** Members whose work is committed: a retry of the window's job will not redo them. */
  async done(name: WindowJobName, window: number, members: readonly string[]): Promise<void> {
    if (members.length > 0) await this.redis.srem(this.key(name, window), ...members);
  }

  private prefix(name: WindowJobName): string {
    return `${this.config.redis.prefix}:${jobConfig(name).queue}:${name}:`;
  }
}
