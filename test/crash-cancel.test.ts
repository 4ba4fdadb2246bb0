import { defineAgent, defineTool, ToolRateLimitError } from '@agentq/shared';
import { z } from 'zod';
import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

function cancelAgent(state: { slowStarted: number; slowFinished: number; limited: number }) {
  const slow = defineTool({
    name: 'slow',
    description: 'Takes a while',
    input: z.object({ ms: z.number() }),
    risk: 'safe',
    run: async ({ ms }) => {
      state.slowStarted += 1;
      await new Promise((r) => setTimeout(r, ms));
      state.slowFinished += 1;
      return `slept ${ms}`;
    },
  });
  const limited = defineTool({
    name: 'limited',
    description: 'Always rate limited for a minute',
    input: z.object({}),
    risk: 'safe',
    run: () => {
      state.limited += 1;
      throw new ToolRateLimitError(60_000);
    },
  });
  const wire = defineTool({ name: 'wire', description: 'Wire money', input: z.object({ amount: z.number() }), risk: 'high', run: () => 'sent' });
  return defineAgent({ name: 'cancel', system: 'Test agent.', tools: [slow, limited, wire] });
}

const newState = () => ({ slowStarted: 0, slowFinished: 0, limited: 0 });

describe('cancel stops a session at the next step boundary from any state, keeping its history', () => {
  test('waiting: a session whose first step is still queued ends cancelled without a model call', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [cancelAgent(newState())], workers: 0 });
    try {
      const { sessionId } = await h.producer.start({ agent: 'cancel', input: scripted('cancel while waiting', [{ text: 'never' }]) });
      // Step jobs carry their tenant's priority, so a queued step sits in BullMQ's prioritized set.
      expect(await h.producer.queue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 0, prioritized: 1 });
      expect(await h.producer.cancel(sessionId)).toBe('cancel_requested');
      await h.startWorker();
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('cancelled');
      expect(result.error?.code).toBe('cancelled');
      expect(h.mock.requests()).toHaveLength(0);
      expect(await h.producer.history(sessionId)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('delayed: a step deferred for a minute by a rate-limited tool is brought forward and ends cancelled', async ({ redisUrl, queueName, prefix }) => {
    const state = newState();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [cancelAgent(state)] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'cancel',
        input: scripted('cancel while delayed', [{ tool: 'limited', input: {} }, { text: 'never' }]),
      });
      await until('the step to be delayed', async () => ((await h.producer.queue.getDelayedCount()) > 0 ? true : undefined), 20_000);
      const started = Date.now();
      expect(await h.producer.cancel(sessionId)).toBe('cancel_requested');
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('cancelled');
      expect(Date.now() - started).toBeLessThan(20_000); // not after the minute's delay
      expect(await h.producer.queue.getDelayedCount()).toBe(0);
      expect(await h.producer.history(sessionId)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('active: the running step finishes and commits, then the session ends cancelled with that step in its history', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const state = newState();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [cancelAgent(state)] });
    try {
      const script = [{ tool: 'slow', input: { ms: 800 } }, { tool: 'slow', input: { ms: 10 } }, { text: 'never' }];
      const { sessionId } = await h.producer.start({ agent: 'cancel', input: scripted('cancel while active', script) });
      await until('the slow tool to start', async () => (state.slowStarted > 0 ? true : undefined), 20_000, 10);
      expect(await h.producer.cancel(sessionId)).toBe('cancel_requested');
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const history = await h.producer.history(sessionId);
      expect(result.status).toBe('cancelled');
      expect(state).toMatchObject({ slowStarted: 1, slowFinished: 1 });
      expect(history.map((e) => e.message.role)).toEqual(['user', 'assistant', 'user']); // the finished step is kept
      expect(h.mock.requests()).toHaveLength(1); // no model call after the boundary
      expect(result.steps).toBe(1);
    } finally {
      await h.close();
    }
  });

  test('parked: a session awaiting approval is cancelled at once', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [cancelAgent(newState())] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'cancel',
        input: scripted('cancel while parked', [{ tool: 'wire', input: { amount: 5 } }, { text: 'never' }]),
      });
      const parked = await h.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true });
      expect(parked.status).toBe('awaiting_approval');
      expect(await h.producer.cancel(sessionId)).toBe('cancelled');
      const session = await h.producer.get(sessionId);
      expect(session?.status).toBe('cancelled');
      expect(await h.producer.history(sessionId)).toHaveLength(1);
      // No worker picks it up again: a later step job for it is a no-op.
      expect((await h.producer.events(sessionId)).filter((e) => e.type === 'session_cancelled')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
