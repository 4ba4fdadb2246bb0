import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Stats } from '@agentq/producer';
import { type AgentEvent, costMicroUsd, DEFAULT_PRICES, isEventOf } from '@agentq/shared';
import type { MockOptions } from '@agentq/mock-anthropic';
import { BATCH_PRICE_FACTOR, type BatchLaneOptions, type StartWorkerOptions } from '@agentq/worker';
import Anthropic from '@anthropic-ai/sdk';
import { eventsUntil } from './support/events.js';
import { describe, expect, test } from './support/fixtures.js';
import { type Harness, scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../packages/producer/dist/bin/agentq.js', import.meta.url));

/** A short processing delay and flush age keep the lane fast in tests; the lane itself is unchanged. */
const FAST_LANE = { maxBatchSize: 500, maxAgeMs: 50, pollIntervalMs: 50 };

/** The echo agent on a fast lane, with the mock's batch faults and worker settings of the test. */
function startLane(
  fixture: { redisUrl: string; queueName: string; prefix: string },
  options: { mock?: MockOptions; worker?: Partial<StartWorkerOptions>; lane?: BatchLaneOptions } = {},
): Promise<Harness> {
  return startHarness({ ...fixture, agents: [echoAgent()], mock: options.mock ?? {}, worker: { ...options.worker, batch: { ...FAST_LANE, ...options.lane } } });
}

const THREE_STEPS = [{ tool: 'echo', input: { value: 'a' } }, { tool: 'echo', input: { value: 'b' } }, { text: 'done' }];

function modelCalls(events: AgentEvent[]) {
  return events.filter(isEventOf('model_call')).map((e) => e.data);
}

describe('the batch lane sends urgency "batch" sessions through the Message Batches API', () => {
  test('200 batch-lane sessions × 3 steps complete through the batch endpoint, priced at the batch rate', async ({ redisUrl, queueName, prefix }) => {
    const h = await startLane({ redisUrl, queueName, prefix }, { mock: { batchDelayMs: 20 }, worker: { concurrency: 20 } });
    try {
      const inputs = Array.from({ length: 200 }, (_, i) => ({ agent: 'rl', input: scripted(`Batch task ${i}.`, THREE_STEPS), urgency: 'batch' as const }));
      const started = await h.producer.startBatch(inputs);
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 60_000 },
      );
      const completed = results.filter((r) => r.status === 'completed' && r.output === 'done' && r.steps === 3).length;
      const events = (await Promise.all(started.map(({ sessionId }) => h.producer.events(sessionId)))).flat();
      const calls = modelCalls(events);
      const batchCalls = calls.filter((c) => c.lane === 'batch');
      const client = new Anthropic({ baseURL: h.mock.url, apiKey: 'k', maxRetries: 0 });
      const batches: Anthropic.Messages.MessageBatch[] = [];
      for await (const b of client.messages.batches.list({ limit: 1000 })) batches.push(b);
      const submitted = batches.reduce((n, b) => n + b.request_counts.succeeded, 0);
      const lane = await h.workers[0]!.deps.batch!.counts();
      // Each call billed at half its direct price (rounded up to the micro-dollar), and the saving recorded beside it.
      const mispriced = batchCalls.filter((c) => {
        const usage = {
          inputTokens: c.usage.inputTokens!,
          outputTokens: c.usage.outputTokens!,
          cacheReadTokens: c.usage.cacheReadTokens!,
          cacheWriteTokens: c.usage.cacheWriteTokens!,
          cacheWrite1hTokens: c.usage.cacheWrite1hTokens ?? 0,
        };
        const full = costMicroUsd(c.model, usage, DEFAULT_PRICES);
        return (
          Math.round(c.usage.costUsd! * 1e6) !== Math.ceil(full * BATCH_PRICE_FACTOR) ||
          Math.round(c.savedUsd! * 1e6) !== full - Math.ceil(full * BATCH_PRICE_FACTOR)
        );
      }).length;
      const cost = results.reduce((n, r) => n + r.usage.costUsd, 0);
      const saved = batchCalls.reduce((n, c) => n + c.savedUsd!, 0);
      console.log(
        `completed ${completed}/200, model calls ${calls.length} (batch ${batchCalls.length}), direct requests ${h.mock.requests().length}, batches ${batches.length} holding ${submitted} requests, mispriced ${mispriced}, cost $${cost.toFixed(6)} saved $${saved.toFixed(6)}, lane left ${JSON.stringify(lane)}`,
      );
      expect(completed).toBe(200);
      expect(batchCalls.length).toBe(600);
      expect(calls.length).toBe(600);
      expect(h.mock.requests().length).toBe(0);
      expect(submitted).toBe(600);
      expect(mispriced).toBe(0);
      expect(saved).toBeGreaterThan(0);
      expect(lane).toEqual({ pending: 0, claims: 0, inflight: 0, calls: 0 });
      // `agentq stats` (and the stats API it shares) shows what the lane saved.
      const env = { ...process.env, REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
      const stats = JSON.parse((await run(process.execPath, [CLI, 'stats', '--since', '1h', '--json'], { env })).stdout) as Stats;
      const text = (await run(process.execPath, [CLI, 'stats', '--since', '1h'], { env })).stdout;
      console.log(text.split('\n').find((line) => line.startsWith('batch lane')));
      expect(stats.batch.calls).toBe(600);
      expect(stats.batch.savedUsd).toBeCloseTo(saved, 6);
      expect(stats.batch.costUsd).toBeCloseTo(cost, 6);
      expect(text).toContain(`batch lane   calls 600   cost usd ${stats.batch.costUsd.toFixed(6)}   saved usd ${stats.batch.savedUsd.toFixed(6)}`);
    } finally {
      await h.close();
    }
  }, 180_000);

  test('an agent default of urgency "batch" is used when the session chooses none; "normal" on start overrides it', async ({ redisUrl, queueName, prefix }) => {
    const base = echoAgent();
    const { defineAgent } = await import('@agentq/shared');
    const agent = defineAgent({ name: 'rl', system: base.system, tools: [...base.tools.values()], urgency: 'batch' });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], worker: { batch: FAST_LANE } });
    try {
      const a = await h.producer.start({ agent: 'rl', input: scripted('Default lane.', [{ text: 'one' }]) });
      const b = await h.producer.start({ agent: 'rl', input: scripted('Direct lane.', [{ text: 'two' }]), urgency: 'normal' });
      const [ra, rb] = await Promise.all([h.producer.wait(a.sessionId, { timeoutMs: 20_000 }), h.producer.wait(b.sessionId, { timeoutMs: 20_000 })]);
      expect([ra.output, rb.output]).toEqual(['one', 'two']);
      expect(modelCalls(await h.producer.events(a.sessionId)).map((c) => c.lane)).toEqual(['batch']);
      expect(modelCalls(await h.producer.events(b.sessionId)).map((c) => c.lane)).toEqual([undefined]);
      expect(h.mock.requests().length).toBe(1);
    } finally {
      await h.close();
    }
  });

  test('an expired batch request is retried like a timed-out direct call, and the session completes', async ({ redisUrl, queueName, prefix }) => {
    const h = await startLane({ redisUrl, queueName, prefix }, { mock: { batchFailNext: [{ result: 'expired' }] } });
    try {
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Expires once.', [{ text: 'late but done' }]), urgency: 'batch' });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const events = await h.producer.events(sessionId);
      const errors = events.filter((e) => e.type === 'model_error').map((e) => e.data.code);
      const parks = events.filter((e) => e.type === 'batch_parked').map((e) => e.data.attempt);
      expect(result.status).toBe('completed');
      expect(result.output).toBe('late but done');
      expect(errors).toEqual(['model_timeout']);
      expect(parks).toEqual([0, 1]);
    } finally {
      await h.close();
    }
  });

  test('a request that keeps erroring overloaded fails the session after its bounded attempts with code model_overloaded', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const overloaded = { result: 'errored' as const, status: 529 };
    const h = await startLane(
      { redisUrl, queueName, prefix },
      { mock: { batchFailNext: [overloaded, overloaded, overloaded] }, worker: { step: { stepAttempts: 3, stepBackoffMs: 20 } } },
    );
    try {
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Always overloaded.', [{ text: 'never' }]), urgency: 'batch' });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const errors = (await h.producer.events(sessionId)).filter((e) => e.type === 'model_error').map((e) => e.data.code);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_overloaded');
      expect(result.error?.message).toContain('after 3 batch attempts');
      expect(errors).toEqual(['model_overloaded', 'model_overloaded', 'model_overloaded']);
      expect(result.usage.costUsd).toBe(0);
    } finally {
      await h.close();
    }
  });

  test('a tenant is charged the batch rate, and a call that failed in its batch leaves no reservation behind', async ({ redisUrl, queueName, prefix }) => {
    const h = await startLane({ redisUrl, queueName, prefix }, { mock: { batchFailNext: [{ result: 'errored', status: 400 }] }, lane: { maxAgeMs: 200 } });
    try {
      await h.producer.tenants.setBudget('acme', { dailyCostUsd: 10 });
      const bad = await h.producer.start({ agent: 'rl', input: scripted('Refused.', [{ text: 'no' }]), tenant: 'acme', urgency: 'batch' });
      // The mock's fault goes to the next call in a batch: the bad session's call is parked first, so it is that one
      // (the two first steps run side by side, and the good session's call could otherwise be parked ahead of it).
      await eventsUntil(h, bad.sessionId, 'batch_parked');
      const good = await h.producer.start({ agent: 'rl', input: scripted('Charged.', THREE_STEPS), tenant: 'acme', urgency: 'batch' });
      const [rb, rg] = await Promise.all([h.producer.wait(bad.sessionId, { timeoutMs: 20_000 }), h.producer.wait(good.sessionId, { timeoutMs: 20_000 })]);
      const usage = await h.producer.tenants.usage('acme');
      console.log(`bad ${rb.status}/${rb.error?.code}, good ${rg.status} $${rg.usage.costUsd}, tenant ${JSON.stringify(usage)}`);
      expect(rb.error?.code).toBe('model_bad_request');
      expect(rg.status).toBe('completed');
      expect(usage.calls).toBe(3);
      expect(usage.costUsd).toBeCloseTo(rg.usage.costUsd, 6);
      expect(usage.reservedTokens).toBe(0);
      expect(usage.reservedCostUsd).toBe(0);
    } finally {
      await h.close();
    }
  });

  test('a batch create answered 529 puts the calls back; the flush job retries and the session completes', async ({ redisUrl, queueName, prefix }) => {
    const refused = { result: 'refused' as const, status: 529 };
    const h = await startLane({ redisUrl, queueName, prefix }, { mock: { batchFailNext: [refused, refused] } });
    try {
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Submit twice refused.', [{ text: 'third time' }]), urgency: 'batch' });
      const result = await h.producer.wait(sessionId, { timeoutMs: 30_000 });
      const events = await h.producer.events(sessionId);
      expect(result.status).toBe('completed');
      expect(result.output).toBe('third time');
      // The step parked once; the refusals were the flusher's to retry, not the session's.
      expect(events.filter((e) => e.type === 'batch_parked')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'model_error')).toHaveLength(0);
      expect(await h.workers[0]!.deps.batch!.counts()).toEqual({ pending: 0, claims: 0, inflight: 0, calls: 0 });
    } finally {
      await h.close();
    }
  });

  test('a batch refused as a whole (400) fails each of its sessions with model_bad_request and the API message', async ({ redisUrl, queueName, prefix }) => {
    const h = await startLane(
      { redisUrl, queueName, prefix },
      { mock: { batchFailNext: [{ result: 'refused', status: 400, message: 'requests: too large' }] }, lane: { maxAgeMs: 200 } },
    );
    try {
      const started = await h.producer.startBatch(
        ['One.', 'Two.'].map((task) => ({ agent: 'rl', input: scripted(task, [{ text: 'never' }]), urgency: 'batch' as const })),
      );
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 20_000 },
      );
      expect(results.map((r) => [r.status, r.error?.code, r.error?.message])).toEqual([
        ['failed', 'model_bad_request', 'requests: too large'],
        ['failed', 'model_bad_request', 'requests: too large'],
      ]);
      expect(await h.workers[0]!.deps.batch!.counts()).toEqual({ pending: 0, claims: 0, inflight: 0, calls: 0 });
    } finally {
      await h.close();
    }
  });

  test('an invalid request errors its item only: that session fails at once with model_bad_request, the other completes', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const h = await startLane(
      { redisUrl, queueName, prefix },
      { mock: { batchFailNext: [{ result: 'errored', status: 400, message: 'messages.0.content: bad block' }] }, lane: { maxAgeMs: 200 } },
    );
    try {
      const a = await h.producer.start({ agent: 'rl', input: scripted('Bad.', [{ text: 'no' }]), urgency: 'batch' });
      const b = await h.producer.start({ agent: 'rl', input: scripted('Good.', [{ text: 'yes' }]), urgency: 'batch' });
      const [ra, rb] = await Promise.all([h.producer.wait(a.sessionId, { timeoutMs: 20_000 }), h.producer.wait(b.sessionId, { timeoutMs: 20_000 })]);
      const statuses = [ra, rb].map((r) => `${r.status}:${r.error?.code ?? r.output}`).sort();
      expect(statuses).toEqual(['completed:yes', 'failed:model_bad_request'].sort());
    } finally {
      await h.close();
    }
  });
});
