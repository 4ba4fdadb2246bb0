import { readFileSync } from 'node:fs';
import { defineAgent, defineTool, utcDay } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { monitorRedis } from './support/monitor.js';

function opsAgent(runs: string[]) {
  const remove = defineTool({
    name: 'delete_record',
    description: 'Delete a record',
    input: z.object({ id: z.string() }),
    risk: 'high',
    run: ({ id }) => {
      runs.push(id);
      return `deleted ${id}`;
    },
  });
  return defineAgent({ name: 'ops', system: 'You run operations.', tools: [remove], limits: { maxAutoRisk: 'low' } });
}

describe("a tenant's model call is settled once per job run", () => {
  // A resumed (or retried) step settled its checkpointed call's tenant reservation twice: once when the step
  // started and again when the model turn reused the checkpoint. The second was a no-op, but a round trip.
  test('a step that parks for approval and resumes settles its call once on each run: 2 settles, not 3', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [opsAgent(runs)] });
    // Scripts run by SHA: on a server that has not run the settle script yet, its first call would show twice
    // (the EVALSHA Redis refuses with NOSCRIPT, then the EVAL). Loaded first, each settle is one line.
    await h.producer.stores.redis.script('LOAD', readFileSync(new URL('../packages/shared/lua/settleTenant-2.lua', import.meta.url), 'utf8'));
    // MONITOR on a connection of its own sees every script call the fleet makes, with its arguments.
    const settles: string[] = [];
    const stopMonitor = await monitorRedis(redisUrl, (line) => {
      if (line.includes('"settle"') && line.includes(':0:model"')) settles.push(line);
    });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'ops',
        tenant: 'acme',
        input: scripted('Delete cus_1.', [{ tool: 'delete_record', input: { id: 'cus_1' } }, { text: 'Deleted.' }]),
      });
      let approvals = await h.producer.approvals.list();
      for (let until = Date.now() + 20_000; approvals.length === 0 && Date.now() < until; approvals = await h.producer.approvals.list())
        await new Promise((r) => setTimeout(r, 50));
      expect(approvals).toHaveLength(1);
      await h.producer.approvals.approve(approvals[0]!.approvalId, { by: 'alice' });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result).toMatchObject({ status: 'completed', output: 'Deleted.', steps: 2 });
      expect(runs).toEqual(['cus_1']);
      const ownSettles = settles.filter((line) => line.includes(`"${sessionId}:0:model"`));
      const calls = Number(await h.producer.stores.redis.hget(h.producer.stores.keys.tenantUsage('acme', utcDay()), 'calls'));
      console.log(`step 0 model call: settle script calls ${ownSettles.length} (first run 1, resumed run 1); tenant calls counted ${calls}`);
      expect(ownSettles).toHaveLength(2);
      // Counted once whatever the settles: step 0's call and step 1's.
      expect(calls).toBe(2);
    } finally {
      stopMonitor();
      await h.close();
    }
  });
});
