import { defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { toolResultsSent } from './support/tool-results.js';

describe('fleet-wide circuit breaker', () => {
  test('opens after N failures across two workers, fails fast during the cool-down, then a trial closes it', async ({ redisUrl, queueName, prefix }) => {
    let healthy = false;
    const runsByWorker = new Map<string, number>();
    const inventory = defineTool({
      name: 'inventory_api',
      description: 'Stock levels',
      input: z.object({ sku: z.string() }),
      risk: 'safe',
      retries: 0,
      breaker: { failures: 3, windowMs: 60_000, cooldownMs: 800 },
      run: async ({ sku }, ctx) => {
        const worker = String(ctx.metadata.expectWorker);
        runsByWorker.set(worker, (runsByWorker.get(worker) ?? 0) + 1);
        if (!healthy) throw new Error('503 from inventory backend');
        return `${sku}: 12 in stock`;
      },
    });
    const agent = defineAgent({ name: 'shop', system: 's', tools: [inventory] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 0, worker: { concurrency: 1 } });
    const oneSession = async (label: string) => {
      const script = [{ tool: 'inventory_api', input: { sku: label } }, { text: `done ${label}` }];
      const { sessionId } = await h.producer.start({
        agent: 'shop',
        input: scripted(`Check ${label}.`, script),
        metadata: { expectWorker: label.split('-')[0] },
      });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      return sessionId;
    };
    try {
      // Worker A sees two failures and stops; worker B sees the third: the count lives in Redis, not in a process.
      const a = await h.startWorker();
      await oneSession('A-1');
      await oneSession('A-2');
      await a.close();
      await h.startWorker();
      await oneSession('B-3');
      const events = await h.producer.stores.events.since(0, { types: ['circuit_opened', 'circuit_half_open', 'circuit_closed'] });
      expect(events.map((e) => e.type)).toEqual(['circuit_opened']);
      expect(events[0]?.data).toMatchObject({ tool: 'inventory_api', failures: 3 });
      const openedAt = events[0]?.timestamp as number;
      const failedRuns = (await h.producer.stores.events.since(0, { types: ['tool_result'] })).filter((e) => e.data.isError === true);
      expect(failedRuns).toHaveLength(3);
      expect(new Set(failedRuns.map((e) => e.workerId)).size).toBe(2);

      // While open, calls are answered at once with an error result and the tool does not run.
      await oneSession('B-4');
      expect(Object.fromEntries(runsByWorker)).toEqual({ A: 2, B: 1 });
      const fastFail = toolResultsSent(h.mock).filter((r) => r.content.includes('circuit breaker is open'));
      expect(fastFail).toHaveLength(1);
      expect(fastFail[0]?.is_error).toBe(true);

      // After the cool-down one trial runs; it succeeds and the breaker closes.
      healthy = true;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, openedAt + 800 - Date.now())));
      await oneSession('B-5');
      await oneSession('B-6');
      expect(runsByWorker.get('B')).toBe(3);
      const all = await h.producer.stores.events.since(0, { types: ['circuit_opened', 'circuit_half_open', 'circuit_closed'] });
      expect(all.map((e) => e.type)).toEqual(['circuit_opened', 'circuit_half_open', 'circuit_closed']);
      console.log(
        `breaker: runs A=${runsByWorker.get('A')} B=${runsByWorker.get('B')}, fast failures=${fastFail.length}, transitions=${all.map((e) => e.type).join(' → ')}`,
      );
    } finally {
      await h.close();
    }
  });
});
