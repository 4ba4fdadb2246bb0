import { createRedis, stepJobId } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { BatchLane, type BatchCall, flushBatches, pollBatches, resolveBatchLaneOptions } from '@agentq/worker';
import Anthropic from '@anthropic-ai/sdk';
import { Queue } from 'bullmq';
import { describe, expect, test } from './support/fixtures.js';
import { testLogger } from './support/harness.js';

/**
 * The flusher and poller are killed between their writes by stopping after a chosen one (the state a SIGKILL
 * leaves in Redis), then the next run is checked for 0 lost and 0 duplicated calls.
 */
async function lane(redisUrl: string, queueName: string, prefix: string) {
  const mock = await startMockAnthropic();
  const redis = createRedis(redisUrl);
  const queue = new Queue(queueName, { connection: redis.duplicate() });
  const sdk = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0 });
  // A claim is stale 1 ms after it was made: the tests back-date claims instead of waiting for a lease.
  const options = resolveBatchLaneOptions({ maxBatchSize: 3, maxAgeMs: 60_000, pollIntervalMs: 60_000, claimLeaseMs: 1 });
  const batchLane = new BatchLane(redis, new Keys(prefix), queue, sdk, options, {}, testLogger);
  const call = (i: number): BatchCall => ({
    sessionId: `sess${i}`,
    step: 0,
    attempt: 0,
    params: { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: `task ${i}` }] },
  });
  const parkThree = async () => {
    for (const i of [1, 2, 3]) await batchLane.park(`sess${i}-s0-b0`, call(i));
  };
  const listBatches = async () => {
    const out: Anthropic.Messages.MessageBatch[] = [];
    for await (const b of sdk.messages.batches.list({ limit: 100 })) out.push(b);
    return out;
  };
  return {
    lane: batchLane,
    sdk,
    queue,
    redis,
    parkThree,
    listBatches,
    close: async () => {
      await queue.close();
      redis.disconnect();
      await mock.close();
    },
  };
}

describe('the batch lane neither loses nor double-submits a call when a flusher or poller dies mid-way', () => {
  test('a flusher killed after its submit, before recording: the next flusher adopts that batch and submits nothing', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const t = await lane(redisUrl, queueName, prefix);
    try {
      await t.parkThree();
      const { claimId, customIds } = await t.lane.claim(Date.now() - 1000);
      const calls = await t.lane.calls(customIds);
      // The dead flusher's create reached the API; its recordBatch never ran.
      await t.sdk.messages.batches.create({ requests: customIds.map((id, i) => ({ custom_id: id, params: calls[i]!.params })) });
      const report = await flushBatches(t.lane);
      const batches = await t.listBatches();
      const counts = await t.lane.counts();
      const delivered = await pollBatches(t.lane);
      const jobs = await Promise.all([1, 2, 3].map((i) => t.queue.getJob(stepJobId(`sess${i}`, 0, 'b0'))));
      console.log(
        `claim ${claimId}: adopted ${report.adopted}, submitted ${report.submitted}, batches at the API ${batches.length}, delivered ${delivered.delivered}, step jobs ${jobs.filter(Boolean).length}`,
      );
      expect(customIds).toHaveLength(3);
      expect(report).toEqual({ submitted: 0, calls: 0, adopted: 1 });
      expect(batches).toHaveLength(1);
      expect(counts).toEqual({ pending: 0, claims: 0, inflight: 1, calls: 3 });
      expect(delivered.delivered).toBe(3);
      expect(jobs.filter(Boolean)).toHaveLength(3);
      expect(await t.lane.counts()).toEqual({ pending: 0, claims: 0, inflight: 0, calls: 0 });
    } finally {
      await t.close();
    }
  });

  test('a flusher killed after claiming, before its submit: the next flusher submits the claim once; re-parking a call is a no-op', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const t = await lane(redisUrl, queueName, prefix);
    try {
      await t.parkThree();
      await t.lane.claim(Date.now() - 1000);
      // A step re-run after the park (its job was retried) parks the same custom_id again: nothing changes.
      const again = await t.lane.park('sess1-s0-b0', {
        sessionId: 'sess1',
        step: 0,
        attempt: 0,
        params: { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'task 1' }] },
      });
      const first = await flushBatches(t.lane);
      const second = await flushBatches(t.lane);
      const batches = await t.listBatches();
      console.log(
        `re-park parked ${again.parked}; first flush ${JSON.stringify(first)}, second ${JSON.stringify(second)}, batches at the API ${batches.length} holding ${batches[0]?.request_counts.succeeded}`,
      );
      expect(again).toEqual({ parked: false, pending: 0 });
      expect(first).toEqual({ submitted: 1, calls: 3, adopted: 0 });
      expect(second).toEqual({ submitted: 0, calls: 0, adopted: 0 });
      expect(batches).toHaveLength(1);
      expect(batches[0]?.request_counts.succeeded).toBe(3);
    } finally {
      await t.close();
    }
  });

  test('a poller killed after delivering part of a batch delivers it all on its next run, one step job per call', async ({ redisUrl, queueName, prefix }) => {
    const t = await lane(redisUrl, queueName, prefix);
    try {
      await t.parkThree();
      expect((await flushBatches(t.lane)).submitted).toBe(1);
      const [batchId] = await t.lane.inflight();
      const customIds = await t.lane.batchIds(batchId!);
      const calls = await t.lane.calls(customIds);
      // The dead poller got as far as the first delivery.
      await t.lane.deliver(customIds[0]!, calls[0]!, { type: 'expired' });
      const report = await pollBatches(t.lane);
      const rerun = await pollBatches(t.lane);
      const jobs = await t.queue.getJobs(['waiting', 'delayed', 'prioritized']);
      const stepJobs = jobs
        .filter((j) => j.name === 'step')
        .map((j) => j.id)
        .sort();
      const checkpoints = await Promise.all([1, 2, 3].map((i) => t.redis.hget(new Keys(prefix).checkpoint(`sess${i}`, 0), 'batch:result')));
      console.log(
        `poll ${JSON.stringify(report)}, rerun ${JSON.stringify(rerun)}, step jobs ${stepJobs.length}, results ${checkpoints.filter(Boolean).length}`,
      );
      expect(report).toEqual({ ended: 1, delivered: 3, inflight: 0 });
      expect(rerun).toEqual({ ended: 0, delivered: 0, inflight: 0 });
      expect(stepJobs).toEqual([1, 2, 3].map((i) => stepJobId(`sess${i}`, 0, 'b0')).sort());
      expect(checkpoints.map((c) => (JSON.parse(c!) as { result: { type: string } }).result.type)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    } finally {
      await t.close();
    }
  });
});
