import { defineAgent, defineTool } from '@agentq/shared';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { scripted, startHarness } from './support/harness.js';
import { RedisServer } from './support/redis-server.js';

const lookup = defineTool({ name: 'lookup', description: 'Looks up', input: z.object({ q: z.string() }), risk: 'safe', run: ({ q }) => `found ${q}` });
const agent = defineAgent({ name: 'flushed', system: 'Runs through a script cache flush.', tools: [lookup] });
const session = (i: number) => ({ agent: 'flushed', input: scripted(`job ${i}`, [{ tool: 'lookup', input: { q: `q${i}` } }, { text: `done ${i}` }]) });

describe("Redis's script cache emptied under a running fleet", () => {
  // Scripts run by SHA (EVALSHA, then EVAL on NOSCRIPT). A restart, a failover to a replica that never saw
  // them or a SCRIPT FLUSH empties the cache: every call, plain or pipelined (the producer's batch create),
  // must still run. A server of its own: a flush on the suite's would touch every other test.
  test('a batch started after SCRIPT FLUSH is created whole, and sessions running across flushes complete', async () => {
    const server = await RedisServer.start();
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const h = await startHarness({ redisUrl: server.url, queueName: 'flush', prefix: 'fl', agents: [agent], worker: { concurrency: 4 } });
    try {
      const first = (await h.producer.startBatch(Array.from({ length: 10 }, (_, i) => session(i)))).map((s) => s.sessionId);
      await admin.script('FLUSH');
      const second = (await h.producer.startBatch(Array.from({ length: 10 }, (_, i) => session(10 + i)))).map((s) => s.sessionId);
      await admin.script('FLUSH');
      const results = await h.producer.waitAll([...first, ...second], { timeoutMs: 30_000 });
      expect(second).toHaveLength(10);
      expect(results.filter((r) => r.status === 'completed')).toHaveLength(20);
    } finally {
      await h.close();
      admin.disconnect();
      await server.destroy();
    }
  }, 60_000);
});
