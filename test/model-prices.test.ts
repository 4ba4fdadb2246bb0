import { costMicroUsd, DEFAULT_PRICES, defineAgent, defineTool, highestPrice } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

function makeAgent(model: string) {
  const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => `echo:${value}` });
  return defineAgent({ name: 'spender', model, system: 'You spend.', tools: [echo], maxLimits: { maxSteps: 500, maxCostUsd: 1, loop: { threshold: 1000 } } });
}
const endless = scripted('Spend it all.', [{ tool: 'echo', input: { value: 'x'.repeat(400) } }], { loop: true });
const noLoops = { window: 1000, threshold: 1000 };

describe('models without a price', () => {
  // An unknown model used to price as Sonnet, so a model at 5× Sonnet's rate ran 5× past maxCostUsd.
  test('an unknown model is charged the highest known rate and cannot run past maxCostUsd', async ({ redisUrl, queueName, prefix }) => {
    const model = 'claude-nova-1';
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(model)] });
    try {
      const maxCostUsd = 0.2;
      const { sessionId } = await h.producer.start({ agent: 'spender', input: endless, limits: { maxCostUsd, maxSteps: 500, loop: noLoops } });
      const result = await h.producer.wait(sessionId, { timeoutMs: 60_000 });
      const answered = h.mock.requests().filter((r) => r.status === 200);
      // What the answered calls cost at the highest rate of every kind, recomputed from the mock's record.
      const highest = { [model]: highestPrice(DEFAULT_PRICES) };
      const u = result.usage;
      const atHighest =
        costMicroUsd(
          model,
          { inputTokens: u.inputTokens, outputTokens: u.outputTokens, cacheReadTokens: u.cacheReadTokens, cacheWriteTokens: u.cacheWriteTokens },
          highest,
        ) / 1e6;
      console.log(
        `status=${result.status} code=${result.error?.code} calls=${answered.length} costUsd=${u.costUsd} limit=${maxCostUsd} atHighestRateUsd=${atHighest}`,
      );
      expect(result.status).toBe('budget_exceeded');
      expect(result.error?.code).toBe('max_cost');
      expect(u.costUsd).toBeLessThanOrEqual(maxCostUsd);
      // Charged at least the highest rate of every kind (1-hour writes can only cost more).
      expect(u.costUsd).toBeGreaterThanOrEqual(atHighest - 1e-6);
    } finally {
      await h.close();
    }
  });

  test('with AGENTQ_UNKNOWN_MODELS=refuse the call is never made and the session fails model_unpriced', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent('claude-nova-1')],
      worker: { step: { stepBackoffMs: 50, unknownModels: 'refuse' } },
    });
    try {
      const { sessionId } = await h.producer.start({ agent: 'spender', input: endless, limits: { loop: noLoops } });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_unpriced');
      expect(h.mock.requests()).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});
