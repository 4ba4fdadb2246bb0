import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { startFaultStack } from './support/fault-stack.js';
import { ghostKeys } from './support/drill-counts.js';
import { RedisServer } from './support/redis-server.js';

const SESSIONS = 40;

describe('Redis restarted empty (issue 12, item 3)', () => {
  // With AOF off, a restart lost every key, and the steps still in flight wrote ~100 keys back without TTL
  // (session hashes holding only usage fields, checkpoints, events), and nothing said data was lost.
  test('steps in flight when the data vanishes write back no keys without a TTL', async () => {
    const server = await RedisServer.start();
    const { h, start } = await startFaultStack(server, 'em');
    const admin = h.producer.stores.redis.duplicate();
    let closed = false;
    try {
      const ids = await start(SESSIONS);
      await until(
        'steps in flight',
        async () => ((await h.producer.stores.sessions.getMany(ids)).some((s) => (s?.step ?? 0) >= 1) ? true : undefined),
        30_000,
        10,
      );
      // The data is gone, as after a restart with persistence off; the workers' in-flight steps go on.
      await admin.flushall();
      // Closing waits for every step in flight to end: whatever they write is written by then.
      await Promise.all(h.workers.map((w) => w.close()));
      closed = true;
      const ghosts = await ghostKeys(admin, 'em');
      const sessions = (await h.producer.stores.sessions.getMany(ids)).filter((s) => s !== undefined).length;
      // Every session went with the data (persistence was off): the drill counts what agentq did after it.
      console.log(
        `[drill] redis restarted empty: sessions lost with the data ${SESSIONS} (persistence off), recreated ${sessions}, stranded 0, ghost keys ${ghosts.length} ${JSON.stringify(ghosts.slice(0, 5))}`,
      );
      expect(sessions).toBe(0);
      expect(ghosts).toEqual([]);
    } finally {
      admin.disconnect();
      if (!closed) await Promise.all(h.workers.map((w) => w.close()));
      await h.producer.close();
      await h.mock.close();
      await server.destroy();
    }
  }, 120_000);
});
