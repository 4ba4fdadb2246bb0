import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { startFaultStack } from './support/fault-stack.js';
import { drillCounts } from './support/drill-counts.js';
import { RedisServer } from './support/redis-server.js';

const SESSIONS = 60;

describe('Redis out of memory (issue 12, item 1)', () => {
  // With maxmemory just above its use for a few seconds, step jobs spent their 5 attempts in seconds on
  // "OOM command not allowed", failDeadStep could not write either, and the sessions stayed running/queued
  // with no job behind them, for good.
  test('a Redis OOM window strands no session: every one ends completed once memory is back', async () => {
    const server = await RedisServer.start();
    const { h, start } = await startFaultStack(server, 'oom', {
      latencyMs: 20,
      jitterMs: 30,
      worker: { lockDurationMs: 5000, stalledIntervalMs: 1000, reconciler: { everyMs: 500, graceMs: 1000 } },
    });
    const admin = h.producer.stores.redis.duplicate();
    try {
      const ids = await start(SESSIONS, 3);
      await until(
        'some steps committed',
        async () => {
          const steps = (await h.producer.stores.sessions.getMany(ids)).reduce((sum, s) => sum + (s?.step ?? 0), 0);
          return steps >= SESSIONS / 2 ? steps : undefined;
        },
        60_000,
        20,
      );
      const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
      await admin.config('SET', 'maxmemory', String(used + 64 * 1024));
      // The fault lasts 8 s (its duration is the scenario, not a wait for some state): long enough for every
      // step job to spend its attempts (the harness backs off 50 ms) while Redis refuses writes.
      await new Promise((resolve) => setTimeout(resolve, 8000));
      const rejected = Number(/errorstat_OOM:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
      await admin.config('SET', 'maxmemory', '0');

      // A step job refused by Redis waits with a capped backoff (up to 60 s, doubling per start), so a job that
      // met the OOM several times may sleep well past the window: wait out the cap, plus time to finish.
      const results = await h.producer.waitAll(ids, { timeoutMs: 90_000 }).catch(() => undefined);
      const sessions = await h.producer.stores.sessions.getMany(ids);
      const statuses: Record<string, number> = {};
      for (const s of sessions) if (s) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      console.log(`[fault-redis-oom] sessions ${SESSIONS}, OOM rejections ${rejected}, statuses ${JSON.stringify(statuses)}`);
      const counts = await drillCounts('redis out of memory', h.producer.stores, 'oom', ids);
      expect(rejected).toBeGreaterThan(0);
      expect(results).toBeDefined();
      expect(counts).toEqual({ lost: 0, stranded: 0, ghostKeys: 0 });
      expect(statuses).toEqual({ completed: SESSIONS });
    } finally {
      admin.disconnect();
      await h.close();
      await server.destroy();
    }
  }, 240_000);
});
