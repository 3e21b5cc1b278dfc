import Redis from 'ioredis';
import { TEST_REDIS_URL } from './test-database';

/** Deletes every key under a BullMQ prefix (a test run's own namespace). */
export async function deleteRedisPrefix(
  prefix: string,
  redisUrl = TEST_REDIS_URL,
): Promise<number> {
  if (!/^[A-Za-z0-9_{}-]+$/.test(prefix)) throw new Error(`unsafe Redis prefix ${prefix}`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
