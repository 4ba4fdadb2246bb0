import { defineAgent, defineTool, type Session, shardOfSessionId } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { useCluster } from './support/cluster-fixture.js';
import { type Harness, scripted, startHarness } from './support/harness.js';

// The fairness facts of tenants-fairness.test.ts, smaller, on a 3-master cluster with 3 shards: tenant
// backlogs and caps are fleet-wide, so they hold across shards.

const inFlight = new Map<string, { now: number; max: number }>();
const work = defineTool({
  name: 'work',
  description: 'Do a unit of work for a tenant',
  input: z.object({ tenant: z.string(), ms: z.number() }),
  risk: 'safe',
  run: async ({ tenant, ms }) => {
    const c = inFlight.get(tenant) ?? { now: 0, max: 0 };
    inFlight.set(tenant, c);
    c.now += 1;
    c.max = Math.max(c.max, c.now);
    await new Promise((r) => setTimeout(r, ms));
    c.now -= 1;
    return 'done';
  },
});
const agent = defineAgent({ name: 'tenant-worker', system: 'You do work for tenants.', tools: [work] });
const twoSteps = (tenant: string, i: number, ms = 0, sessionId?: string) => ({
  agent: 'tenant-worker',
  tenant,
  ...(sessionId ? { sessionId } : {}),
  input: scripted(`${tenant} job ${i}`, [{ tool: 'work', input: { tenant, ms } }, { text: `${tenant} ${i} done` }]),
});

/**
 * `n` session ids (`<prefix>-<k>`) that land on every one of `shards` shards in turn: random ids can all miss
 * a shard (12 of them do so about 2% of the time), and the cap must be seen holding across all of them.
 */
function idsOnEveryShard(prefix: string, n: number, shards: number): string[] {
  const ids: string[] = [];
  for (let k = 0; ids.length < n; k++) {
    const id = `${prefix}-${k}`;
    if (shardOfSessionId(id, shards) === ids.length % shards) ids.push(id);
  }
  return ids;
}

async function sessions(h: Harness, ids: string[]): Promise<Session[]> {
  return (await h.producer.stores.sessions.getMany(ids)).filter((s): s is Session => s !== undefined);
}

describe('fair scheduling across tenants on a Redis Cluster with 3 shards', () => {
  const c = useCluster();

  test("a tenant with one session is not held behind another tenant's backlog on any shard", async () => {
    const h = await startHarness({ redisUrl: c.target(), ...c.names(), shards: 3, agents: [agent], worker: { concurrency: 6 }, mock: { latencyMs: 20 } });
    try {
      const a = (await h.producer.startBatch(Array.from({ length: 150 }, (_, i) => twoSteps('a', i)))).map((s) => s.sessionId);
      const [b] = (await h.producer.startBatch([twoSteps('b', 0)])).map((s) => s.sessionId);
      const resultB = await h.producer.wait(b as string, { timeoutMs: 60_000 });
      const aDoneWhenBDone = (await sessions(h, a)).filter((s) => s.status === 'completed').length;
      const resultsA = await h.producer.waitAll(a, { timeoutMs: 120_000 });
      console.log(
        `[cluster-fairness] B ${resultB.status}; A completed when B completed: ${aDoneWhenBDone}/150; A completed in the end: ${resultsA.filter((r) => r.status === 'completed').length}/150`,
      );
      expect(resultB.status).toBe('completed');
      expect(aDoneWhenBDone).toBeLessThan(15); // under 10% of A's backlog
      expect(resultsA.filter((r) => r.status === 'completed')).toHaveLength(150);
    } finally {
      await h.close();
    }
  }, 180_000);

  test('a tenant concurrency cap holds across all shards; the other tenant keeps flowing', async () => {
    inFlight.clear();
    const h = await startHarness({ redisUrl: c.target(), ...c.names(), shards: 3, agents: [agent], worker: { concurrency: 10 }, mock: { latencyMs: 5 } });
    try {
      await h.producer.tenants.setMaxConcurrency('capped', 2);
      const cappedIds = idsOnEveryShard(`capped-${Date.now()}`, 12, 3);
      const capped = (await h.producer.startBatch(cappedIds.map((id, i) => twoSteps('capped', i, 60, id)))).map((s) => s.sessionId);
      // The free tenant's tool runs long enough that its steps overlap on a loaded machine too (at 60 ms, 3 of
      // them did when both cores were busy: too close to the cap of 2 to show it does not apply).
      const free = (await h.producer.startBatch(Array.from({ length: 12 }, (_, i) => twoSteps('free', i, 300)))).map((s) => s.sessionId);
      const freeResults = await h.producer.waitAll(free, { timeoutMs: 60_000 });
      const cappedResults = await h.producer.waitAll(capped, { timeoutMs: 60_000 });
      const cappedShards = new Set((await sessions(h, capped)).map((s) => s.shard));
      console.log(
        `[cluster-fairness] capped tenant on shards ${[...cappedShards].join(',')}: max in flight ${inFlight.get('capped')?.max} (cap 2); free tenant: max in flight ${inFlight.get('free')?.max}`,
      );
      expect(cappedShards.size).toBe(3);
      expect(inFlight.get('capped')?.max).toBeLessThanOrEqual(2);
      expect(inFlight.get('free')?.max).toBeGreaterThan(2);
      expect([...freeResults, ...cappedResults].filter((r) => r.status === 'completed')).toHaveLength(24);
    } finally {
      await h.close();
    }
  }, 120_000);
});
