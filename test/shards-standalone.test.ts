import { defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { type Harness, scripted, startHarness } from './support/harness.js';

const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => `echo:${value}` });
const remove = defineTool({
  name: 'delete_record',
  description: 'Delete for good',
  input: z.object({ id: z.string() }),
  risk: 'high',
  run: ({ id }) => `deleted ${id}`,
});
const agent = defineAgent({ name: 'sharded', system: 'Test agent.', tools: [echo, remove] });
const echoTwice = (i: number) => ({ agent: 'sharded', input: scripted(`echo ${i}`, [{ tool: 'echo', input: { value: `a${i}` } }, { text: `done ${i}` }]) });

/** Removes every shard queue's BullMQ keys (the fixture removes only the unsharded queue's). */
async function obliterate(h: Harness): Promise<void> {
  await Promise.all(h.producer.queues.map((q) => q.obliterate({ force: true })));
}

describe('queue shards on one standalone Redis', () => {
  test('3 shards are 3 parallel queues: shard 0 keeps the queue name, every shard runs its own sessions', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, shards: 3, agents: [agent] });
    try {
      expect(h.producer.queues.map((q) => q.name)[0]).toBe(queueName);
      expect(h.workers[0]?.shards.map((s) => s.queue.name)).toEqual(h.producer.queues.map((q) => q.name));
      // The harness's concurrency 5 is split over the 3 shards' workers: the process still runs 5 at most.
      expect(h.workers[0]?.shards.map((s) => s.worker.concurrency)).toEqual([2, 2, 1]);
      const ids = (await h.producer.startBatch(Array.from({ length: 24 }, (_, i) => echoTwice(i)))).map((r) => r.sessionId);
      const results = await h.producer.waitAll(ids, { timeoutMs: 30_000 });
      const sessions = await h.producer.list({ limit: 100 });
      const perShard = [0, 1, 2].map((i) => sessions.filter((s) => s.shard === i).length);
      const completedJobs = await Promise.all(h.producer.queues.map(async (q) => (await q.getJobCounts('completed')).completed ?? 0));
      console.log(
        `[shards] completed=${results.filter((r) => r.status === 'completed').length}/24 perShard=${perShard.join(',')} stepJobsPerQueue=${completedJobs.join(',')}`,
      );
      expect(results.every((r) => r.status === 'completed')).toBe(true);
      expect(sessions).toHaveLength(24);
      expect(completedJobs).toEqual(perShard.map((n) => n * 2));
      for (const n of perShard) expect(n).toBeGreaterThan(0);
    } finally {
      await obliterate(h);
      await h.close();
    }
  });

  test('a worker pinned to shards 0 and 2 leaves shard 1 alone', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, shards: 3, agents: [agent], worker: { consumeShards: [0, 2] } });
    try {
      const ids = (await h.producer.startBatch(Array.from({ length: 12 }, (_, i) => echoTwice(i)))).map((r) => r.sessionId);
      const onShard = async (n: number) => (await h.producer.stores.sessions.getMany(ids)).filter((s) => s?.shard === n).map((s) => s?.sessionId as string);
      const served = await h.producer.waitAll([...(await onShard(0)), ...(await onShard(2))], { timeoutMs: 30_000 });
      const shard1 = await h.producer.stores.sessions.getMany(await onShard(1));
      console.log(`[shards] pinned 0,2: served ${served.length} completed; shard 1 sessions ${shard1.map((s) => s?.status).join(',')}`);
      expect(served.every((r) => r.status === 'completed')).toBe(true);
      expect(shard1.length).toBeGreaterThan(0);
      expect(shard1.every((s) => s?.status === 'queued')).toBe(true);
      await h.startWorker({ consumeShards: [1] });
      expect((await h.producer.waitAll(ids, { timeoutMs: 30_000 })).every((r) => r.status === 'completed')).toBe(true);
    } finally {
      await obliterate(h);
      await h.close();
    }
  });

  test('going from 1 shard to 3: a session parked before the change is approved and finishes on the unsharded queue', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const before = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    const script = scripted('Delete it.', [{ tool: 'delete_record', input: { id: 'r1' } }, { text: 'Deleted.' }]);
    const { sessionId } = await before.producer.start({ agent: 'sharded', input: script });
    expect((await before.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true })).status).toBe('awaiting_approval');
    await before.close();

    const after = await startHarness({ redisUrl, queueName, prefix, shards: 3, agents: [agent] });
    try {
      const [approval] = await after.producer.approvals.list();
      expect(approval?.sessionId).toBe(sessionId);
      await after.producer.approvals.approve(approval?.approvalId as string, { by: 'alice' });
      const ids = (await after.producer.startBatch(Array.from({ length: 6 }, (_, i) => echoTwice(i)))).map((r) => r.sessionId);
      const results = await after.producer.waitAll([sessionId, ...ids], { timeoutMs: 30_000 });
      expect(results.map((r) => r.status)).toEqual(Array(7).fill('completed'));
      expect((await after.producer.get(sessionId))?.shard).toBeUndefined();
      expect(await after.producer.list({ limit: 100 })).toHaveLength(7);
    } finally {
      await obliterate(after);
      await after.close();
    }
  });
});
