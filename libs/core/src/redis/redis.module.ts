import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { redisOptionsFromUrl } from './redis-options';
import { REDIS_CLIENT } from './redis-client.token';
import { RateLimiter } from '../rate-limit/rate-limiter';

export { REDIS_CLIENT };

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * A plain Redis client for health checks and small counters. It fails fast (no offline queue)
 * so a Redis outage shows up as an error, not as a hanging request.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new Redis({
          ...redisOptionsFromUrl(config.redis.url),
          lazyConnect: false,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        }).on('error', () => undefined),
    },
    RedisCloser,
    RateLimiter,
  ],
  exports: [REDIS_CLIENT, RateLimiter],
})
export class RedisModule {}
