import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../schemas/messages.js';
import { parseHistoryLine } from '../session/history-line.js';
import { estimateInputTokens } from './estimate-tokens.js';

const entries: HistoryEntry[] = [
  { step: 0, message: { role: 'user', content: 'Read every page and report.' } },
  { step: 0, message: { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'fetch', input: { n: 1, q: 'a "quoted" ünïcode' } }] } },
  { step: 12, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'page 1: lorem ipsum' }] } },
];
const system = [{ type: 'text', text: 'You read pages.' }];
const tools = [{ name: 'fetch', description: 'Fetch a page', input_schema: { type: 'object' } }];

describe('estimateInputTokens', () => {
  it('is the request JSON length / 4, whether or not the messages came from stored history lines', () => {
    const parsed = entries.map((e) => parseHistoryLine(JSON.stringify(e)).message);
    const fresh = entries.map((e) => e.message);
    const expected = Math.ceil(JSON.stringify([system, fresh, tools]).length / 4);
    expect(estimateInputTokens({ system, messages: fresh, tools })).toBe(expected);
    expect(estimateInputTokens({ system, messages: parsed, tools })).toBe(expected);
    expect(estimateInputTokens({ messages: parsed })).toBe(Math.ceil(JSON.stringify([null, fresh, null]).length / 4));
  });

  it('does not serialize a message read from history again: its length is known from the stored line', () => {
    const parsed = entries.map((e) => parseHistoryLine(JSON.stringify(e)).message);
    // A message that would throw if serialized: the estimate must take its length from the line it came from.
    for (const message of parsed) {
      Object.defineProperty(message, 'toJSON', {
        value: () => {
          throw new Error('serialized again');
        },
      });
    }
    expect(() => estimateInputTokens({ system, messages: parsed, tools })).not.toThrow();
  });
});
