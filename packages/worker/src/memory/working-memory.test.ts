import { type ChatMessage, type HistoryEntry, resolveLimits } from '@agentq/shared';
import { describe, expect, it } from 'vitest';
import { BRIDGE_NOTE, buildWorkingMemory } from './working-memory.js';

const history: HistoryEntry[] = [
  { step: 0, message: { role: 'user', content: 'the task' } },
  { step: 0, message: { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 't', input: {} }] } },
  { step: 0, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'x'.repeat(5000) }] } },
  { step: 1, message: { role: 'assistant', content: [{ type: 'tool_use', id: 'b', name: 't', input: {} }] } },
  { step: 1, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: 'y'.repeat(3000) }] }] } },
];
const limits = resolveLimits({ memory: { maxToolResultChars: 1000 } });

describe('buildWorkingMemory', () => {
  it('pins the task, cuts long tool results with a note, and leaves history untouched', () => {
    const memory = buildWorkingMemory(history, limits);
    expect(memory.messages).toHaveLength(5);
    expect(memory.messages[0]).toEqual({ role: 'user', content: 'the task' });
    const cut = (memory.messages[2]?.content as Array<{ content: string }>)[0]?.content ?? '';
    expect(cut.startsWith('x'.repeat(1000))).toBe(true);
    expect(cut).toContain('4000 of 5000 characters cut');
    const arrayCut = (memory.messages[4]?.content as unknown as Array<{ content: Array<{ text: string }> }>)[0]?.content[0]?.text ?? '';
    expect(arrayCut).toContain('2000 of 3000 characters cut');
    expect((history[2]?.message.content as Array<{ content: string }>)[0]?.content).toHaveLength(5000);
    expect(memory.systemNotes).toEqual([]);
  });

  it('after a cut, bridges the pinned task to the first assistant message and puts the summary in system', () => {
    const memory = buildWorkingMemory(history, limits, { start: 3, summary: 'called t once' });
    expect(memory.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const pinned = memory.messages[0] as ChatMessage;
    expect(pinned.content).toEqual([
      { type: 'text', text: 'the task' },
      { type: 'text', text: BRIDGE_NOTE },
    ]);
    expect(memory.systemNotes).toHaveLength(1);
    expect(memory.systemNotes[0]).toContain('called t once');
  });

  it('bridges the pinned task when the entries given start after what the summary holds', () => {
    // The load skipped entries 1 and 2: the entries given are history[0], then history[3] onwards.
    const loaded = [history[0], history[3], history[4]] as HistoryEntry[];
    const memory = buildWorkingMemory(loaded, limits, { start: 1, offset: 2, summary: 'called t once' });
    expect(memory.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect((memory.messages[0] as ChatMessage).content).toEqual([
      { type: 'text', text: 'the task' },
      { type: 'text', text: BRIDGE_NOTE },
    ]);
    expect(memory.messages[1]).toEqual(history[3]?.message);
  });

  it('says so when turns were dropped without a summary', () => {
    const memory = buildWorkingMemory(history, limits, { start: 3, dropped: { from: 1, to: 2 } });
    expect(memory.systemNotes).toHaveLength(1);
    expect(memory.systemNotes[0]).toContain('2 earlier message(s) were cut');
  });
});
