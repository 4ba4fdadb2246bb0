import { defineTool, type Risk, RISK_LEVELS, riskExceeds } from '@agentq/shared';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { denialText, effectiveRisk } from './risk-gate.js';
import type { ToolCall } from './tool-guard.js';

const pay = defineTool({
  name: 'pay',
  description: 'pay',
  input: z.object({ amount: z.number() }),
  risk: 'medium',
  policy: ({ amount }) => (amount > 1000 ? 'high' : amount < 1 ? 'safe' : undefined),
  run: () => 'ok',
});
const callOf = (amount: number): ToolCall => ({ block: { type: 'tool_use', id: 't', name: 'pay', input: { amount } }, tool: pay, input: { amount } });

describe('risk gate rules', () => {
  test('risks compare by order, not by name (as strings "high" < "low" < "medium" < "safe")', () => {
    // Each pair below is ordered the other way round alphabetically.
    expect(riskExceeds('high', 'low')).toBe(true);
    expect('high' > 'low').toBe(false);
    expect(riskExceeds('safe', 'low')).toBe(false);
    expect('safe' > 'low').toBe(true);
    expect(riskExceeds('medium', 'low')).toBe(true);
    const exceeding = RISK_LEVELS.flatMap((r) => RISK_LEVELS.map((c) => [r, c] as [Risk, Risk])).filter(([r, c]) => riskExceeds(r, c));
    expect(exceeding).toHaveLength(6); // strictly above: 3 + 2 + 1
  });

  test('a policy raises the risk of one call but never lowers it', () => {
    expect(effectiveRisk(callOf(5000))).toEqual({ risk: 'high', reason: 'the policy of pay raised this call from medium to high risk' });
    expect(effectiveRisk(callOf(50)).risk).toBe('medium');
    expect(effectiveRisk(callOf(0.5)).risk).toBe('medium');
  });

  test('a policy that throws makes the call high risk', () => {
    const broken = {
      ...pay,
      policy: () => {
        throw new Error('no rule');
      },
    } as unknown as typeof pay;
    expect(effectiveRisk({ ...callOf(5), tool: broken }).risk).toBe('high');
  });

  test('the denial the model reads names who denied and why', () => {
    expect(denialText('bob', 'too risky')).toBe('Action denied by bob: too risky');
    expect(denialText('system', 'timeout')).toBe('Action denied by system: timeout');
  });
});
