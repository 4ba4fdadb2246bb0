import { costMicroUsd, defineAgent, defineTool, isEventOf } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const MODEL = 'claude-sonnet-5-5';
const FALLBACK = 'claude-opus-5';

function makeAgent(options: { fallbackModel?: string; limits?: Record<string, unknown> } = {}) {
  const read = defineTool({
    name: 'read',
    description: 'Read a page',
    input: z.object({ n: z.number() }),
    risk: 'safe',
    run: ({ n }) => `page ${n}: ${'text '.repeat(200)}`,
  });
  return defineAgent({ name: 'stopper', model: MODEL, system: 'You read.', tools: [read], ...options });
}

describe('every stop reason has a defined outcome', () => {
  test('end_turn, stop_sequence and tool_use: the session goes on or completes with the text', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()] });
    try {
      const a = await h.producer.start({ agent: 'stopper', input: scripted('a', [{ tool: 'read', input: { n: 1 } }, { text: 'done' }]) });
      const b = await h.producer.start({ agent: 'stopper', input: scripted('b', [{ text: 'stopped here', stop_reason: 'stop_sequence' }]) });
      const [ra, rb] = await h.producer.waitAll([a.sessionId, b.sessionId], { timeoutMs: 20_000 });
      expect(ra).toMatchObject({ status: 'completed', output: 'done', steps: 2 });
      expect(rb).toMatchObject({ status: 'completed', output: 'stopped here', steps: 1 });
    } finally {
      await h.close();
    }
  });

  // A refusal used to end every session at once; with a fallback model the step asks it instead.
  test('refusal: the fallback model answers the step when the agent has one, else model_refusal', async ({ redisUrl, queueName, prefix }) => {
    const withFallback = { ...makeAgent({ fallbackModel: FALLBACK }), name: 'fallback' };
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(), withFallback] });
    try {
      // Both models refuse here (the script has no per-model entry): the fallback is asked once, counted, and
      // named in the terminal error.
      const input = scripted('refuse me', [{ text: 'I cannot help with that.', stop_reason: 'refusal' }]);
      const plain = await h.producer.start({ agent: 'stopper', input });
      const rPlain = await h.producer.wait(plain.sessionId, { timeoutMs: 20_000 });
      expect(rPlain.status).toBe('failed');
      expect(rPlain.error?.code).toBe('model_refusal');
      expect(rPlain.error?.message).toMatch(/set fallbackModel/);

      h.mock.clearRequests();
      const fb = await h.producer.start({ agent: 'fallback', input });
      const rFb = await h.producer.wait(fb.sessionId, { timeoutMs: 20_000 });
      const models = h.mock.requests().map((r) => r.model);
      console.log(`fallback session: status=${rFb.status} code=${rFb.error?.code} models=${models.join(',')}`);
      expect(models).toEqual([MODEL, FALLBACK]);
      expect(rFb.status).toBe('failed');
      expect(rFb.error?.message).toContain(FALLBACK);
      const events = await h.producer.events(fb.sessionId);
      expect(events.filter((e) => e.type === 'model_call').map((e) => e.data.model)).toEqual([MODEL, FALLBACK]);
    } finally {
      await h.close();
    }
  });

  // The mock used to answer every model alike, so no test saw a fallback succeed: the script now refuses on the primary only.
  test('refusal: the primary refuses, the fallback answers, the session completes and each call is priced at its own model', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent({ fallbackModel: FALLBACK })] });
    try {
      const refuseOnPrimary = { byModel: { [MODEL]: { text: 'I cannot help with that.', stop_reason: 'refusal' } } };
      const script = [
        { tool: 'read', input: { n: 1 }, ...refuseOnPrimary },
        { text: 'page 1 read', ...refuseOnPrimary },
      ];
      const { sessionId } = await h.producer.start({ agent: 'stopper', input: scripted('Read page one.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const events = await h.producer.events(sessionId);
      const calls = events.filter(isEventOf('model_call')).map((e) => e.data);
      console.log(
        `fallback success: status=${result.status} steps=${result.steps} calls=${calls.map((c) => `${c.model}:${c.stopReason}:$${c.usage.costUsd}`).join(',')}`,
      );
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result).toMatchObject({ output: 'page 1 read', steps: 2 });
      // Each step: the primary refuses, then the fallback answers.
      expect(calls.map((c) => [c.model, c.stopReason])).toEqual([
        [MODEL, 'refusal'],
        [FALLBACK, 'tool_use'],
        [MODEL, 'refusal'],
        [FALLBACK, 'end_turn'],
      ]);
      for (const call of calls) expect(Math.round(call.usage.costUsd * 1e6)).toBe(costMicroUsd(call.model, call.usage));
      // The fallback (Opus 5) costs more per token than the primary (Sonnet 5.5): not one price for both.
      expect(costMicroUsd(FALLBACK, calls[1]!.usage)).toBeGreaterThan(costMicroUsd(MODEL, calls[1]!.usage));
      const record = await h.producer.get(sessionId);
      const total = calls.reduce((sum, c) => sum + costMicroUsd(c.model, c.usage), 0);
      expect(Math.round((record?.usage.costUsd ?? 0) * 1e6)).toBe(total);
    } finally {
      await h.close();
    }
  });

  test('model_context_window_exceeded: the window is folded to half and the step retried once', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ limits: { loop: { threshold: 100 }, memory: { windowTokens: 100_000 } } })],
    });
    try {
      const script = [...Array.from({ length: 8 }, (_, n) => ({ tool: 'read', input: { n } })), { text: 'read them all' }];
      // Each page is ~250 tokens: from about the fifth step the whole conversation no longer fits 1500 tokens.
      const { sessionId } = await h.producer.start({ agent: 'stopper', input: scripted('Read the pages.', script, { contextWindow: 1500 }) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 30_000 });
      const requests = h.mock.requests().filter((r) => r.model === MODEL);
      const exceeded = requests.filter((r) => r.inputTokens > 1500).length;
      const events = await h.producer.events(sessionId);
      const summaries = events.filter((e) => e.type === 'summary_created').length;
      console.log(`status=${result.status} steps=${result.steps} requests=${requests.length} overflowed=${exceeded} summaries=${summaries}`);
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.output).toBe('read them all');
      expect(exceeded).toBeGreaterThan(0);
      expect(summaries).toBeGreaterThan(0);
      // One extra request per overflow: the retry after the fold.
      expect(requests).toHaveLength(9 + exceeded);
    } finally {
      await h.close();
    }
  });

  test('model_context_window_exceeded twice in a step ends the session with that code', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'stopper', input: scripted('Too big from the start.', [{ text: 'never' }], { contextWindow: 5 }) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_context_window_exceeded');
      expect(h.mock.requests().filter((r) => r.model === MODEL)).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
