import { randomUUID } from 'node:crypto';
import { type BudgetCode, defineAgent, defineTool, type LimitsInput } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

function makeAgent() {
  const echo = defineTool({
    name: 'echo',
    description: 'Echo a value back',
    input: z.object({ value: z.string() }),
    risk: 'safe',
    run: ({ value }) => `echo:${value}`,
  });
  // The sessions below raise the step budget and loosen the loop detector: the agent allows it explicitly.
  return defineAgent({
    name: 'spender',
    system: 'You are a test agent that keeps calling tools.',
    tools: [echo],
    maxLimits: { maxSteps: 10_000, loop: { threshold: 1000 } },
  });
}

/** An endless session; the loop detector is set out of the way so only budgets can stop it. */
const endless = (label: string) => scripted(`Spend: ${label}.`, [{ tool: 'echo', input: { value: label } }], { loop: true });
const noLoops: LimitsInput['loop'] = { window: 1000, threshold: 1000 };

describe('budgets', () => {
  test('each budget kind ends its session budget_exceeded with its own code, limit and amount used', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()], mock: { latencyMs: 20 }, workers: 2 });
    try {
      const tenantTokens = `tok-${randomUUID().slice(0, 8)}`;
      const tenantCost = `usd-${randomUUID().slice(0, 8)}`;
      await h.producer.tenants.setBudget(tenantTokens, { dailyTokens: 4000 });
      await h.producer.tenants.setBudget(tenantCost, { dailyCostUsd: 0.01 });
      const cases: Array<{ code: BudgetCode; limits: LimitsInput; tenant?: string }> = [
        { code: 'max_steps', limits: { maxSteps: 3 } },
        { code: 'max_input_tokens', limits: { maxSteps: 200, maxInputTokens: 3000 } },
        { code: 'max_output_tokens', limits: { maxSteps: 200, maxOutputTokens: 150 } },
        { code: 'max_tokens_total', limits: { maxSteps: 200, maxTokens: 4000 } },
        { code: 'max_cost', limits: { maxSteps: 200, maxCostUsd: 0.01 } },
        { code: 'deadline', limits: { maxSteps: 10_000, deadlineMs: 400 } },
        { code: 'tenant_tokens', limits: { maxSteps: 200 }, tenant: tenantTokens },
        { code: 'tenant_cost', limits: { maxSteps: 200 }, tenant: tenantCost },
      ];
      const started = await h.producer.startBatch(
        cases.map((c) => ({ agent: 'spender', input: endless(c.code), limits: { ...c.limits, loop: noLoops }, ...(c.tenant ? { tenant: c.tenant } : {}) })),
      );
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 45_000 },
      );
      for (const [i, c] of cases.entries()) {
        const r = results[i];
        const details = r?.error?.details as { budget: string; limit: number; used: number } | undefined;
        console.log(`${c.code}: status ${r?.status}, code ${r?.error?.code}, limit ${details?.limit}, used ${details?.used}, steps ${r?.steps}`);
        expect(r?.status).toBe('budget_exceeded');
        expect(r?.error?.code).toBe(c.code);
        expect(details?.budget).toBe(c.code);
        expect(typeof details?.limit).toBe('number');
        expect(typeof details?.used).toBe('number');
        expect(r?.steps).toBeGreaterThan(0);
      }
      const usage = (i: number) => results[i]?.usage ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
      const input = (i: number) => usage(i).inputTokens + usage(i).cacheReadTokens + usage(i).cacheWriteTokens;
      // a call that would not fit was never made, so no session passed its own budget
      expect(results[0]?.steps).toBe(3);
      expect(input(1)).toBeLessThanOrEqual(3000);
      expect(usage(2).outputTokens).toBeLessThanOrEqual(150);
      expect(input(3) + usage(3).outputTokens).toBeLessThanOrEqual(4000);
      expect(usage(4).costUsd).toBeLessThanOrEqual(0.01);
      const tok = await h.producer.tenants.usage(tenantTokens);
      const usd = await h.producer.tenants.usage(tenantCost);
      expect(tok.tokens).toBeLessThanOrEqual(4000);
      expect(tok.tokens).toBe(input(6) + usage(6).outputTokens);
      expect(usd.costUsd).toBeLessThanOrEqual(0.01);
      expect(tok.reservedTokens + usd.reservedTokens).toBe(0);
    } finally {
      await h.close();
    }
  });

  test('50 concurrent sessions of one tenant cannot together overspend its daily token budget', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent()],
      mock: { latencyMs: 15, jitterMs: 15 },
      workers: 2,
      worker: { concurrency: 25 },
    });
    try {
      const tenant = `fleet-${randomUUID().slice(0, 8)}`;
      const dailyTokens = 60_000;
      const maxTokensPerCall = 200;
      await h.producer.tenants.setBudget(tenant, { dailyTokens });
      const started = await h.producer.startBatch(
        Array.from({ length: 50 }, (_, i) => ({
          agent: 'spender',
          tenant,
          input: endless(`s${i}`),
          limits: { maxSteps: 500, maxTokensPerCall, loop: noLoops },
        })),
      );
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 60_000 },
      );
      const usage = await h.producer.tenants.usage(tenant);
      const sessionTokens = results.reduce(
        (sum, r) => sum + r.usage.inputTokens + r.usage.cacheReadTokens + r.usage.cacheWriteTokens + r.usage.outputTokens,
        0,
      );
      const answered = h.mock.requests().filter((r) => r.status === 200).length;
      const ended = results.filter((r) => r.status === 'budget_exceeded' && r.error?.code === 'tenant_tokens').length;
      const largestCall = Math.max(...h.mock.requests().map((r) => r.inputTokens + r.outputTokens));
      console.log(
        `tenant fleet: budget ${dailyTokens}, used ${usage.tokens} (over by ${Math.max(0, usage.tokens - dailyTokens)}; one call ≤ ${largestCall + maxTokensPerCall}), calls ${usage.calls}/${answered} answered, reserved left ${usage.reservedTokens}, sessions ended tenant_tokens ${ended}/50`,
      );
      expect(results.every((r) => r.status === 'budget_exceeded')).toBe(true);
      expect(ended).toBe(50);
      expect(usage.tokens).toBeLessThanOrEqual(dailyTokens + largestCall + maxTokensPerCall);
      expect(usage.tokens).toBe(sessionTokens);
      expect(usage.calls).toBe(answered);
      expect(usage.reservedTokens).toBe(0);
      expect(usage.reservedCostUsd).toBe(0);
    } finally {
      await h.close();
    }
  });

  // The notice used to be edited into `system` at every step from 80% on, which changed the prefix of every
  // thinking block and cache entry; it is now one user message appended where it was first sent.
  test('near a budget the model is told once in appended user content, and budget_warning fires once', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'spender', input: endless('warn'), limits: { maxSteps: 5, loop: noLoops } });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('budget_exceeded');
      expect(result.error?.code).toBe('max_steps');
      const warnings = (await h.producer.events(sessionId)).filter((e) => e.type === 'budget_warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.step).toBe(4);
      expect(warnings[0]?.data).toMatchObject({ budget: 'max_steps', limit: 5, used: 4 });
      const bodies = h.mock.requests().map((r) => r.body as { system: unknown; messages: Array<{ role: string; content: unknown }> });
      expect(bodies).toHaveLength(5);
      expect(new Set(bodies.map((b) => JSON.stringify(b.system))).size).toBe(1);
      expect(bodies.map((b) => JSON.stringify(b.messages.at(-1)).includes('Budget notice'))).toEqual([false, false, false, false, true]);
      expect(JSON.stringify(bodies[4]?.messages.at(-1))).toMatch(/steps: 80% used/);
      expect(bodies[4]?.messages.at(-1)?.role).toBe('user');
    } finally {
      await h.close();
    }
  });
});
