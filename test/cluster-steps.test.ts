import { type Approval, defineAgent, defineTool, queueShards } from '@agentq/shared';
import { keySlot } from '@agentq/shared/internal';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { useCluster } from './support/cluster-fixture.js';
import { scripted, startHarness } from './support/harness.js';

// Redis Cluster with 3 queue shards: before cluster mode every connection was a standalone client
// (MOVED on the first command) and BullMQ's untagged keys failed with CROSSSLOT.

function makeAgent(runs: string[]) {
  const echo = defineTool({
    name: 'echo',
    description: 'Echo a value back',
    input: z.object({ value: z.string() }),
    risk: 'safe',
    run: ({ value }) => {
      runs.push(value);
      return `echo:${value}`;
    },
  });
  const deleteRecord = defineTool({
    name: 'delete_record',
    description: 'Delete a record for good',
    input: z.object({ id: z.string() }),
    risk: 'high',
    run: ({ id }) => {
      runs.push(`delete:${id}`);
      return `deleted ${id}`;
    },
  });
  return defineAgent({ name: 'tester', system: 'You are a test agent.', tools: [echo, deleteRecord], maxLimits: { loop: { threshold: 50 } } });
}

const SHARDS = 3;

describe('Redis Cluster with 3 queue shards', () => {
  const c = useCluster();

  test('the 3 shard tags land on 3 different masters', async () => {
    const shards = queueShards('agentq', { count: SHARDS, cluster: true });
    const masters = await Promise.all(shards.map((s) => c.cluster().masterOfSlot(keySlot(s.queueName))));
    console.log(`shard queues ${shards.map((s) => s.queueName).join(', ')} on masters ${masters.join(', ')}`);
    expect(new Set(masters).size).toBe(3);
  });

  test('the step loop runs sessions on every shard; lists, stats and events merge across shards', async () => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl: c.target(), ...c.names(), shards: SHARDS, agents: [makeAgent(runs)] });
    try {
      const inputs = Array.from({ length: 30 }, (_, i) => ({
        agent: 'tester',
        input: scripted(`Echo ${i}.`, [{ tool: 'echo', input: { value: `a${i}` } }, { tool: 'echo', input: { value: `b${i}` } }, { text: `done ${i}` }]),
      }));
      const ids = (await h.producer.startBatch(inputs)).map((r) => r.sessionId);
      const results = await h.producer.waitAll(ids, { timeoutMs: 60_000 });
      const completed = results.filter((r) => r.status === 'completed' && r.steps === 3).length;
      const sessions = await h.producer.list({ limit: 100 });
      const perShard = [0, 1, 2].map((i) => sessions.filter((s) => s.shard === i).length);
      console.log(`completed=${completed}/30 toolRuns=${runs.length}/60 listed=${sessions.length} perShard=${perShard.join(',')}`);
      expect(completed).toBe(30);
      expect(runs).toHaveLength(60);
      expect(sessions).toHaveLength(30);
      for (const n of perShard) expect(n).toBeGreaterThan(0);
      // Every shard's own event stream holds its sessions' events, and stats read them all.
      const streamLengths = await Promise.all(h.producer.router.shards.map((s) => s.stores.redis.xlen(s.stores.keys.globalEvents())));
      for (const n of streamLengths) expect(n).toBeGreaterThan(0);
      const stats = await h.producer.stats({ since: 0 });
      expect(stats.tools.find((t) => t.tool === 'echo')?.calls).toBe(60);
      // A worker's steps for a session went through the session's recorded shard only.
      for (const shard of h.workers[0]?.shards ?? []) {
        const completedJobs = await shard.queue.getJobCounts('completed');
        expect(completedJobs.completed).toBe(perShard[shard.shard.index]! * 3);
      }
    } finally {
      await h.close();
    }
  });

  test('approvals park, list across shards and resume on the session shard; cancel stops a parked session', async () => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl: c.target(), ...c.names(), shards: SHARDS, agents: [makeAgent(runs)] });
    try {
      const script = (id: string) => scripted('Delete it.', [{ tool: 'delete_record', input: { id } }, { text: 'Deleted.' }]);
      const ids = (await h.producer.startBatch(Array.from({ length: 6 }, (_, i) => ({ agent: 'tester', input: script(`r${i}`) })))).map((r) => r.sessionId);
      const parked = await h.producer.waitAll(ids, { timeoutMs: 30_000, untilParked: true });
      expect(parked.map((p) => p.status)).toEqual(Array(6).fill('awaiting_approval'));
      const pending = await h.producer.approvals.list({ limit: 100 });
      const shardsUsed = new Set((await Promise.all(ids.map((id) => h.producer.get(id)))).map((s) => s?.shard));
      console.log(`pending=${pending.length} shardsUsed=${[...shardsUsed].join(',')}`);
      expect(pending).toHaveLength(6);

      // Approve four, deny one, cancel the last.
      const bySession = new Map(pending.map((a: Approval) => [a.sessionId, a]));
      for (const id of ids.slice(0, 4)) await h.producer.approvals.approve(bySession.get(id)!.approvalId, { by: 'alice' });
      await h.producer.approvals.deny(bySession.get(ids[4]!)!.approvalId, { by: 'bob', reason: 'no' });
      expect(await h.producer.cancel(ids[5]!)).toBe('cancelled');

      const results = await h.producer.waitAll(ids, { timeoutMs: 30_000 });
      expect(results.slice(0, 5).map((r) => r.status)).toEqual(Array(5).fill('completed'));
      expect(results[5]?.status).toBe('cancelled');
      expect(runs.sort()).toEqual(['delete:r0', 'delete:r1', 'delete:r2', 'delete:r3']);
      expect(await h.producer.approvals.list()).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  test('cancel of a running session on its shard stops it at the next step', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = defineTool({
      name: 'slow',
      description: 'Waits',
      input: z.object({}),
      risk: 'safe',
      run: async () => {
        await gate;
        return 'ok';
      },
    });
    const agent = defineAgent({ name: 'slowpoke', system: 's', tools: [slow] });
    const h = await startHarness({ redisUrl: c.target(), ...c.names(), shards: SHARDS, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'slowpoke',
        input: scripted('Wait.', [{ tool: 'slow', input: {} }, { tool: 'slow', input: {} }, { text: 'never' }]),
      });
      for (let i = 0; i < 200 && (await h.producer.get(sessionId))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await h.producer.cancel(sessionId)).toBe('cancel_requested');
      release();
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('cancelled');
    } finally {
      release();
      await h.close();
    }
  });
});
