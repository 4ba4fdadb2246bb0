import type { HistoryEntry } from '@agentq/shared';
import { describe, expect, it } from 'vitest';
import { thinkingSafeWindow } from './thinking-safe.js';

const think = (step: number): HistoryEntry => ({
  step,
  message: {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: `t${step}`, signature: 'sig' },
      { type: 'tool_use', id: `tu${step}`, name: 'x', input: {} },
    ],
  },
});
const result = (step: number): HistoryEntry => ({
  step,
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `tu${step}`, content: 'ok' }] },
});
const types = (e: HistoryEntry) => (typeof e.message.content === 'string' ? ['string'] : e.message.content.map((b) => b.type));

describe('thinkingSafeWindow', () => {
  const history: HistoryEntry[] = [
    { step: 0, message: { role: 'user', content: 'task' } },
    think(0),
    result(0),
    think(1),
    result(1),
    think(2),
    result(2),
    think(3),
    result(3),
  ];

  it('changes nothing before any fold', () => {
    expect(thinkingSafeWindow(history, undefined)).toEqual({ entries: history, carriesStaleThinking: false });
  });

  it('after a fold at step 3: drops thinking produced before it, except the cycle current at the fold', () => {
    const safe = thinkingSafeWindow(history, 3);
    expect(safe.entries.map(types)).toEqual([
      ['string'],
      ['tool_use'],
      ['tool_result'],
      ['tool_use'],
      ['tool_result'],
      ['thinking', 'tool_use'],
      ['tool_result'],
      ['thinking', 'tool_use'],
      ['tool_result'],
    ]);
    expect(safe.carriesStaleThinking).toBe(true);
    // At a later step the same entries are sent the same way: what step 3 and later produced keeps its prefix.
    expect(thinkingSafeWindow([...history, think(4), result(4)], 3).entries.slice(0, history.length)).toEqual(safe.entries);
  });
});
