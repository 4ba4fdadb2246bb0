import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * Opens an ioredis connection fit for BullMQ workers and agentq stores: `maxRetriesPerRequest: null`
 * so commands wait through a Redis restart instead of failing, and a capped reconnect backoff.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 3000),
    ...options,
  });
}
