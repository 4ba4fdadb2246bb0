import { RedisServer } from '@agentq/shared/testing';

/** A private redis-server for one benchmark run (or REDIS_URL when given), so numbers never touch real data. */
export async function benchRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => undefined };
  const server = await RedisServer.start();
  return { url: server.url, stop: () => server.destroy() };
}
