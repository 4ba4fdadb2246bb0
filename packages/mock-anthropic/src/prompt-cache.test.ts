import { describe, expect, it } from 'vitest';
import { PromptCache } from './prompt-cache.js';
import type { PromptSegment } from './token-count.js';

const seg = (key: string, tokens: number, cached = false): PromptSegment => ({ key, tokens, ...(cached ? { cacheTtl: '5m' as const } : {}) });

describe('prompt cache', () => {
  // The conversation's breakpoint moves to the newest block each turn; the API finds the previous turn's
  // entry by looking back up to 20 blocks, so the next turn reads the whole earlier prompt.
  it('a breakpoint that moved forward reads the entry written a few blocks before it, and writes the rest', () => {
    const cache = new PromptCache();
    const first = cache.plan('m', [seg('sys', 100, true), seg('u1', 50, true)], 0);
    expect(first).toMatchObject({ cacheRead: 0, cacheCreation: 150 });
    first.commit(0);
    const second = cache.plan('m', [seg('sys', 100, true), seg('u1', 50), seg('a1', 20), seg('u2', 30, true)], 1000);
    expect(second).toMatchObject({ cacheRead: 150, cacheCreation: 50, inputTokens: 0 });
  });

  it('looks back no further than 20 blocks', () => {
    const cache = new PromptCache();
    cache.plan('m', [seg('b0', 10, true)], 0).commit(0);
    const far = [seg('b0', 10), ...Array.from({ length: 21 }, (_, i) => seg(`b${i + 1}`, 1)), seg('last', 1, true)];
    expect(cache.plan('m', far, 1).cacheRead).toBe(0);
    const near = [seg('b0', 10), ...Array.from({ length: 19 }, (_, i) => seg(`b${i + 1}`, 1)), seg('last', 1, true)];
    expect(cache.plan('m', near, 1).cacheRead).toBe(10);
  });
});
