import { describe, expect, test } from 'vitest';
import { readRetryAfter } from '../model/classify-model-error.js';
import { clampPauseMs, DEFAULT_QUEUE_PAUSE_LIMITS } from './queue-pause.js';

describe('queue pause bounds (issue 12, item 8)', () => {
  // retry-after: 86400 paused the fleet a day; -5 made a hot loop; retry-after-ms: 1e20 crashed the Lua script.
  test('a pause is clamped to the maximum, floored, and always a whole number of ms', () => {
    expect(clampPauseMs(86_400_000)).toBe(DEFAULT_QUEUE_PAUSE_LIMITS.maxQueuePauseMs);
    expect(clampPauseMs(1e20)).toBe(300_000);
    expect(clampPauseMs(-5000)).toBe(1000);
    expect(clampPauseMs(0)).toBe(1000);
    expect(clampPauseMs(Number.NaN)).toBe(1000);
    expect(clampPauseMs(Number.POSITIVE_INFINITY)).toBe(1000);
    expect(clampPauseMs(2500.2)).toBe(2501);
    expect(clampPauseMs(90_000, { maxQueuePauseMs: 60_000, minQueuePauseMs: 500 })).toBe(60_000);
  });

  test('negative or unreadable retry-after headers are ignored, not trusted', () => {
    const h = (headers: Record<string, string>) => readRetryAfter(new Headers(headers));
    expect(h({ 'retry-after': '-5' })).toBeUndefined();
    expect(h({ 'retry-after-ms': '-5', 'retry-after': '2' })).toBe(2000);
    expect(h({ 'retry-after-ms': '1e20' })).toBe(1e20);
    expect(h({ 'retry-after': 'soon' })).toBeUndefined();
  });
});
