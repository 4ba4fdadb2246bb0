import type { ChatMessage } from '@agentq/shared';
import { describe, expect, it } from 'vitest';
import { planWindow, windowStarts } from './window-plan.js';

const task: ChatMessage = { role: 'user', content: 'task' };
const call = (id: string): ChatMessage => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 't', input: {} }] });
const result = (id: string): ChatMessage => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'r' }] });

/** task, then n exchanges of (assistant tool_use, user tool_result). */
function exchanges(n: number): ChatMessage[] {
  const out = [task];
  for (let i = 0; i < n; i++) out.push(call(`t${i}`), result(`t${i}`));
  return out;
}

describe('windowStarts', () => {
  it('starts only at assistant messages that follow a user message, never between a tool_use and its result', () => {
    const messages = exchanges(3);
    expect(windowStarts(messages)).toEqual([1, 3, 5]);
    // pause_turn leaves two assistant messages in a row: no cut between them
    const paused: ChatMessage[] = [task, { role: 'assistant', content: 'a' }, { role: 'assistant', content: 'b' }, result('x')];
    expect(windowStarts(paused)).toEqual([1]);
  });
});

describe('planWindow', () => {
  const messages = exchanges(10); // 21 entries, 10 tokens each
  const tokens = messages.map((_, i) => (i === 0 ? 0 : 10));

  it('sends everything without a window', () => {
    expect(planWindow({ messages, tokens, foldedThrough: 0, windowTokens: undefined, foldTo: 0.5 })).toEqual({ start: 1, windowTokens: 200 });
  });

  it('keeps the window from the summary on while it fits', () => {
    expect(planWindow({ messages, tokens, foldedThrough: 10, windowTokens: 100, foldTo: 0.5 })).toEqual({ start: 11, windowTokens: 100 });
  });

  it('folds the oldest exchanges down to foldTo of the budget when the window overflows', () => {
    const plan = planWindow({ messages, tokens, foldedThrough: 0, windowTokens: 100, foldTo: 0.5 });
    expect(plan).toEqual({ start: 17, fold: { from: 1, to: 16 }, windowTokens: 40 });
    expect(messages[plan.start]?.role).toBe('assistant');
  });

  it('keeps the newest exchange even when it alone is over budget', () => {
    const big = tokens.map((t, i) => (i >= 19 ? 500 : t));
    const plan = planWindow({ messages, tokens: big, foldedThrough: 0, windowTokens: 100, foldTo: 0.5 });
    expect(plan.start).toBe(19);
    expect(plan.fold).toEqual({ from: 1, to: 18 });
  });

  it('never folds when a retry passes an infinite budget', () => {
    expect(planWindow({ messages, tokens, foldedThrough: 4, windowTokens: Number.POSITIVE_INFINITY, foldTo: 0.5 }).start).toBe(5);
  });
});
