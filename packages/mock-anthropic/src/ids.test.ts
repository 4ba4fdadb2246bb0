import { describe, expect, it } from 'vitest';
import { conversationKey, decodeToolUseId, newMessageId, newRequestId, toolUseId } from './ids.js';

describe('ids', () => {
  it('round-trips turn and index through a tool_use id of the real shape', () => {
    const conv = conversationKey('first user message');
    for (const [turn, index] of [
      [0, 0],
      [7, 3],
      [1_679_615, 1295],
    ] as const) {
      const id = toolUseId(conv, turn, index);
      expect(id).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
      expect(decodeToolUseId(id, conv)).toEqual({ turn, index });
    }
  });

  it('is stable for a conversation and differs across conversations', () => {
    const a = conversationKey('task A');
    const b = conversationKey('task B');
    expect(toolUseId(a, 1, 0)).toBe(toolUseId(conversationKey('task A'), 1, 0));
    expect(toolUseId(a, 1, 0)).not.toBe(toolUseId(b, 1, 0));
    expect(decodeToolUseId(toolUseId(a, 1, 0), b)).toBeUndefined();
  });

  it('ignores ids it did not make', () => {
    const conv = conversationKey('x');
    const id = toolUseId(conv, 2, 1);
    const tampered = `${id.slice(0, 18)}${id[18] === '0' ? '1' : '0'}${id.slice(19)}`;
    expect(decodeToolUseId(tampered, conv)).toBeUndefined();
    expect(decodeToolUseId('toolu_01D7FLrfh4GYq7yT1ULFeyMV', conv)).toBeUndefined();
  });

  it('makes request and message ids in the API format', () => {
    expect(newRequestId()).toMatch(/^req_01[A-Za-z0-9]{22}$/);
    expect(newMessageId()).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(newMessageId()).not.toBe(newMessageId());
  });
});
