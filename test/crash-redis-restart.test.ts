import { defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { RedisServer } from './support/redis-server.js';

const SESSIONS = 60;
const STEPS = 4;

describe('Redis restart mid-batch', () => {
  test('workers and the producer ride out a Redis restart (AOF on): every session ends completed, none lost', async () => {
    // A private server: this test stops it, which must not touch the shared one.
    const server = await RedisServer.start();
    const lookup = defineTool({ name: 'lookup', description: 'Look up', input: z.object({ q: z.string() }), risk: 'safe', run: ({ q }) => `found ${q}` });
    const agent = defineAgent({ name: 'restart', system: 'Test agent.', tools: [lookup], limits: { loop: { threshold: 50, window: 60 } } });
    const h = await startHarness({
      redisUrl: server.url,
      queueName: 'restart',
      prefix: 'rs',
      agents: [agent],
      mock: { latencyMs: 20, jitterMs: 30 },
      workers: 2,
      worker: { lockDurationMs: 5000, stalledIntervalMs: 1000, maxStalledCount: 50 },
    });
    try {
      const script = (i: number) => [
        { tool: 'lookup', input: { q: `a${i}` } },
        { tool: 'lookup', input: { q: `b${i}` } },
        { tool: 'lookup', input: { q: `c${i}` } },
        { text: `done ${i}` },
      ];
      const ids = (
        await h.producer.startBatch(Array.from({ length: SESSIONS }, (_, i) => ({ agent: 'restart', input: scripted(`restart session ${i}`, script(i)) })))
      ).map((r) => r.sessionId);
      // Restart once a good part of the batch has committed steps and the rest is in flight.
      const committedBefore = await until(
        'a quarter of the steps committed',
        async () => {
          const steps = (await h.producer.stores.sessions.getMany(ids)).reduce((sum, s) => sum + (s?.step ?? 0), 0);
          return steps >= (SESSIONS * STEPS) / 4 ? steps : undefined;
        },
        60_000,
        20,
      );
      await server.restart();

      const results = await h.producer.waitAll(ids, { timeoutMs: 90_000 });
      const statuses: Record<string, number> = {};
      for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      let historyMismatches = 0;
      for (const id of ids) if ((await h.producer.history(id)).length !== 2 * STEPS) historyMismatches += 1;
      const indexed = await h.producer.stores.redis.zcard(h.producer.stores.keys.sessionIndex());
      console.log(
        `[crash-redis-restart] sessions=${SESSIONS} stepsCommittedBeforeRestart=${committedBefore}/${SESSIONS * STEPS} statuses=${JSON.stringify(statuses)} ` +
          `indexed=${indexed} historyMismatches=${historyMismatches}`,
      );
      expect(statuses).toEqual({ completed: SESSIONS });
      expect(indexed).toBe(SESSIONS);
      expect(historyMismatches).toBe(0);
      expect(results.every((r) => r.steps === STEPS)).toBe(true);
    } finally {
      await h.close();
      await server.destroy();
    }
  }, 180_000);
});
