import { describe, expect, it } from 'vitest';
import { clampLimits, effectiveLimits, limitViolations } from './limit-ceilings.js';
import { resolveLimits } from './limits.js';

describe('limit ceilings', () => {
  const ceiling = resolveLimits({ maxSteps: 10, maxCostUsd: 1, maxAutoRisk: 'low' });

  it('finds every looser field a session asks for, by direction, and none of the tighter ones', () => {
    expect(limitViolations({ maxSteps: 5, maxCostUsd: 0.5, maxAutoRisk: 'safe', loop: { window: 50, threshold: 2 } }, ceiling)).toEqual([]);
    // 'high' < 'low' as strings: the risk compare must be by order.
    expect(limitViolations({ maxAutoRisk: 'high' }, ceiling).map((v) => v.field)).toEqual(['maxAutoRisk']);
    expect(
      limitViolations({ maxSteps: 11, loop: { window: 3, threshold: 4 }, memory: { summaryModel: 'other', foldTo: 0.9 } }, ceiling).map((v) => v.field),
    ).toEqual(['maxSteps', 'loop.window', 'loop.threshold', 'memory.summaryModel']);
    // An unset budget in the ceiling is unlimited: a session may set any value.
    expect(limitViolations({ maxTokens: 1_000_000, deadlineMs: 60_000 }, ceiling)).toEqual([]);
  });

  it('clamps to the ceiling, including a budget the session left unlimited', () => {
    const loose = resolveLimits({ maxSteps: 40, maxAutoRisk: 'high', loop: { threshold: 1000, window: 2 } });
    const { limits, clamped } = clampLimits({ ...loose, maxCostUsd: undefined }, ceiling);
    expect(clamped.map((c) => c.field)).toEqual(['maxSteps', 'maxCostUsd', 'maxAutoRisk', 'loop.window', 'loop.threshold']);
    expect(limits).toMatchObject({ maxSteps: 10, maxCostUsd: 1, maxAutoRisk: 'low', loop: { window: 9, threshold: 3 } });
    expect(clampLimits(resolveLimits({ maxSteps: 3, maxCostUsd: 1 }), ceiling).clamped).toEqual([]);
  });

  it("a budget only maxLimits sets applies to the agent's sessions, and is not reported as a session's clamp", () => {
    const agent = { limits: {}, ceiling: resolveLimits({}, { maxCostUsd: 5 }) };
    expect(effectiveLimits(agent, {})).toMatchObject({ limits: { maxCostUsd: 5 }, clamped: [] });
    expect(effectiveLimits(agent, { maxCostUsd: 9 }).clamped.map((c) => c.field)).toEqual(['maxCostUsd']);
  });

  it('answers again from what it resolved before, with shared answers frozen', () => {
    const agent = { limits: { maxSteps: 8 }, ceiling };
    const first = effectiveLimits(agent, { maxSteps: 4, loop: { window: 12 } });
    expect(effectiveLimits(agent, { maxSteps: 4, loop: { window: 12 } })).toBe(first);
    expect(first.limits).toMatchObject({ maxSteps: 4, loop: { window: 12 } });
    expect(Object.isFrozen(first.limits.loop)).toBe(true);
    expect(effectiveLimits(agent, { maxSteps: 3 }).limits.maxSteps).toBe(3);
    expect(effectiveLimits(agent, undefined).limits.maxSteps).toBe(8);
    // Another agent with the same limits object but another ceiling gets its own answer.
    expect(effectiveLimits({ limits: agent.limits, ceiling: resolveLimits({ maxSteps: 2 }) }, { maxSteps: 4 }).limits.maxSteps).toBe(2);
  });
});
