import { randomUUID } from 'node:crypto';
import { createRedis, type Redis } from '@agentq/shared';
import { inject, test as base } from 'vitest';
import type {} from './global-setup.js';

export interface RedisFixture {
  redisUrl: string;
  /** A connection of the test's own, closed after it. */
  redis: Redis;
  /** A queue name no other test uses. */
  queueName: string;
  /** A key prefix no other test uses. */
  prefix: string;
}

/** Each test gets a real Redis connection and its own queue and key prefix, removed afterwards. */
export const test = base.extend<RedisFixture>({
  // eslint-disable-next-line no-empty-pattern -- vitest fixtures take a destructured first argument
  redisUrl: async ({}, use) => {
    await use(inject('redisUrl'));
  },
  redis: async ({ redisUrl }, use) => {
    const redis = createRedis(redisUrl);
    await use(redis);
    redis.disconnect();
  },
  queueName: async ({ redisUrl }, use) => {
    const name = `test-${randomUUID()}`;
    await use(name);
    await deleteMatching(redisUrl, `bull:${name}:*`);
  },
  prefix: async ({ redisUrl }, use) => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    await use(prefix);
    await deleteMatching(redisUrl, `${prefix}:*`);
  },
});

async function deleteMatching(url: string, pattern: string): Promise<void> {
  const redis = createRedis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    // the server may be down in a fault test; its temp dir goes with it
  } finally {
    redis.disconnect();
  }
}

export { describe, expect, vi } from 'vitest';
