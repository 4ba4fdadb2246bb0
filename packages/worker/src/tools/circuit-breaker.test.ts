import { type AgentEventType, createStores, defineAgent, defineTool, LoopDetector, type Redis } from '@agentq/shared';
import type { Queue } from 'bullmq';
import { pino } from 'pino';
import { z } from 'zod';
import { describe, expect, test } from '../../../../test/support/fixtures.js';
import { BreakerState } from './breaker-state.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { GuardContext } from './guard-context.js';
import type { ToolCall } from './tool-guard.js';
import { errorOutcome, type ToolOutcome } from './tool-outcome.js';

const flaky = defineTool({
  name: 'flaky_api',
  description: 'test',
  input: z.object({}),
  risk: 'safe',
  breaker: { failures: 3, windowMs: 10_000, cooldownMs: 5_000 },
  run: () => 'ok',
});
const agent = defineAgent({ name: 'breaker-test', system: 's', tools: [flaky] });

function context(redis: Redis, prefix: string, events: Array<{ type: AgentEventType; data: Record<string, unknown> }>, workerId: string): GuardContext {
  const stores = createStores(redis, prefix);
  return {
    deps: { stores, queue: undefined as unknown as Queue, loopDetector: new LoopDetector(redis, stores.keys), breakers: new BreakerState(redis, stores.keys) },
    session: {
      sessionId: `ses_${workerId}`,
      agent: agent.name,
      status: 'running',
      step: 0,
      input: 'x',
      metadata: {},
      limits: {},
      createdAt: 0,
      updatedAt: 0,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    },
    agent,
    limits: undefined as unknown as GuardContext['limits'],
    step: 0,
    logger: pino({ level: 'silent' }),
    emit: async (type, data) => {
      events.push({ type, data });
    },
  };
}

let seq = 0;
function call(): ToolCall {
  seq += 1;
  return { block: { type: 'tool_use', id: `toolu_${seq}`, name: flaky.name, input: {} }, tool: flaky, input: {} };
}
const failure = (c: ToolCall): ToolOutcome => errorOutcome(c.block.id, c.tool.name, 'tool_timeout', 'flaky_api failed after 3 attempts: timeout after 1s', 3);
const success = (c: ToolCall): ToolOutcome => ({ toolUseId: c.block.id, tool: c.tool.name, content: 'ok', isError: false, attempts: 1, durationMs: 1 });

describe('CircuitBreaker', () => {
  test('opens after N failures within the window across workers, fails fast, then half-opens and closes', async ({ redis, prefix }) => {
    let now = 1_000_000;
    const events: Array<{ type: AgentEventType; data: Record<string, unknown> }> = [];
    const a = context(redis, prefix, events, 'a');
    const b = context(redis, prefix, events, 'b');
    const breakerA = new CircuitBreaker({ now: () => now });
    const breakerB = new CircuitBreaker({ now: () => now });

    // Two failures on worker a and one on worker b: the count is fleet-wide.
    for (const [ctx, breaker] of [
      [a, breakerA],
      [a, breakerA],
      [b, breakerB],
    ] as const) {
      const c = call();
      expect((await breaker.check(ctx, c)).kind).toBe('run');
      await breaker.after(ctx, c, failure(c));
      now += 100;
    }
    expect(events.map((e) => e.type)).toEqual(['circuit_opened']);
    expect(events[0]?.data).toMatchObject({ tool: 'flaky_api', failures: 3 });

    const rejected = await breakerA.check(a, call());
    expect(rejected.kind).toBe('answer');
    if (rejected.kind !== 'answer') throw new Error('unreachable');
    expect(rejected.outcome).toMatchObject({ isError: true, errorCode: 'tool_circuit_open' });
    expect(rejected.outcome.content).toMatch(/flaky_api is temporarily unavailable: it failed 3 times within 10s across the fleet.*in about 5s/);

    // After the cool-down exactly one trial call runs; the others still fail fast.
    now += 5_000;
    const trial = call();
    expect((await breakerB.check(b, trial)).kind).toBe('run');
    expect((await breakerA.check(a, call())).kind).toBe('answer');
    expect(events.map((e) => e.type)).toEqual(['circuit_opened', 'circuit_half_open']);
    await breakerB.after(b, trial, success(trial));
    expect(events.map((e) => e.type)).toEqual(['circuit_opened', 'circuit_half_open', 'circuit_closed']);
    expect((await breakerA.check(a, call())).kind).toBe('run');
  });

  test('a failed trial re-opens for a full cool-down; failures outside the window do not count', async ({ redis, prefix }) => {
    let now = 2_000_000;
    const events: Array<{ type: AgentEventType; data: Record<string, unknown> }> = [];
    const ctx = context(redis, prefix, events, 'c');
    const breaker = new CircuitBreaker({ now: () => now });
    const fail = async () => {
      const c = call();
      const decision = await breaker.check(ctx, c);
      if (decision.kind === 'run') await breaker.after(ctx, c, failure(c));
      return decision.kind;
    };
    await fail();
    await fail();
    now += 10_001; // the first two leave the window
    await fail();
    await fail();
    expect(events).toHaveLength(0);
    await fail();
    expect(events.map((e) => e.type)).toEqual(['circuit_opened']);
    now += 5_000;
    expect(await fail()).toBe('run'); // the trial, and it fails
    expect(events.map((e) => e.type)).toEqual(['circuit_opened', 'circuit_half_open', 'circuit_opened']);
    now += 4_999;
    expect(await fail()).toBe('answer');
    now += 1;
    expect(await fail()).toBe('run');
  });

  test('errors that say nothing about the tool health (a refusal, a bad input) never open it', async ({ redis, prefix }) => {
    const events: Array<{ type: AgentEventType; data: Record<string, unknown> }> = [];
    const ctx = context(redis, prefix, events, 'd');
    const breaker = new CircuitBreaker();
    for (let i = 0; i < 10; i++) {
      const c = call();
      await breaker.after(ctx, c, errorOutcome(c.block.id, c.tool.name, i % 2 ? 'tool_permission_denied' : 'tool_invalid_input', 'no'));
    }
    expect(events).toHaveLength(0);
    expect((await breaker.check(ctx, call())).kind).toBe('run');
  });

  test('a half-open trial that never reports back is replaced after its lease', async ({ redis, prefix }) => {
    let now = 3_000_000;
    const events: Array<{ type: AgentEventType; data: Record<string, unknown> }> = [];
    const ctx = context(redis, prefix, events, 'e');
    const breaker = new CircuitBreaker({ now: () => now });
    for (let i = 0; i < 3; i++) {
      const c = call();
      await breaker.check(ctx, c);
      await breaker.after(ctx, c, failure(c));
    }
    now += 5_000;
    expect((await breaker.check(ctx, call())).kind).toBe('run'); // trial granted, its worker dies
    expect((await breaker.check(ctx, call())).kind).toBe('answer');
    now += flaky.timeoutMs * (1 + flaky.retries) + 5_000;
    expect((await breaker.check(ctx, call())).kind).toBe('run');
  });
});
