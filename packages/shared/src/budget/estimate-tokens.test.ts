import { describe, expect, it, vi } from 'vitest';
import type { HistoryEntry } from '../schemas/messages.js';
import { parseHistoryLines } from '../session/history-line.js';
import { estimateInputTokens } from './estimate-tokens.js';

const entries: HistoryEntry[] = [
  { step: 0, message: { role: 'user', content: 'Read every page and report.' } },
  { step: 0, message: { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'fetch', input: { n: 1, q: 'a "quoted" ünïcode' } }] } },
  { step: 12, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'page 1: lorem ipsum' }] } },
];
const system = [{ type: 'text', text: 'You read pages.' }];
const tools = [{ name: 'fetch', description: 'Fetch a page', input_schema: { type: 'object' } }];

describe('estimateInputTokens', () => {
  it('is the request JSON length / 4, whether or not the messages came with known lengths from stored history lines', () => {
    const parsed = parseHistoryLines(entries.map((e) => JSON.stringify(e)));
    const messages = parsed.entries.map((e) => e.message);
    const extra = { role: 'user' as const, content: 'a note that is not in the history' };
    const expected = Math.ceil(JSON.stringify([system, [...messages, extra], tools]).length / 4);
    expect(estimateInputTokens({ system, messages: [...messages, extra], tools })).toBe(expected);
    expect(estimateInputTokens({ system, messages: [...messages, extra], tools }, parsed.messageChars)).toBe(expected);
    expect(estimateInputTokens({ messages }, parsed.messageChars)).toBe(Math.ceil(JSON.stringify([null, messages, null]).length / 4));
  });

  it('serializes none of the history messages whose lengths it knows', () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ step: i, message: { role: 'user', content: `message ${i} ${'x'.repeat(i)}` } }));
    const parsed = parseHistoryLines(lines);
    const messages = parsed.entries.map((e) => e.message);
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      estimateInputTokens({ system, messages, tools }, parsed.messageChars);
      // The system blocks and the tools; 42 calls' worth of work before (the request as a whole, once).
      expect(stringify.mock.calls.length).toBe(2);
    } finally {
      stringify.mockRestore();
    }
  });
});
