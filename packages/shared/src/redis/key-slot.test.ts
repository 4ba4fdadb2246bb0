import { describe, expect, it } from 'vitest';
import { hashTagOf, keySlot } from './key-slot.js';

describe('keySlot', () => {
  // Reference values from `redis-cli CLUSTER KEYSLOT <key>` (and the naive-tag collision).
  it('matches the cluster for plain and tagged keys', () => {
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{agentq:0}')).toBe(4585);
    expect(keySlot('{agentq:1}')).toBe(456);
    expect(keySlot('bull:{agentq:0}:wait')).toBe(keySlot('aq:{agentq:0}:events'));
  });

  it('takes the first non-empty tag only', () => {
    expect(hashTagOf('a{b}c{d}')).toBe('b');
    expect(hashTagOf('a{}b{c}')).toBe('a{}b{c}');
    expect(hashTagOf('a{b')).toBe('a{b');
  });
});
