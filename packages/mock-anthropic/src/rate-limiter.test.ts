import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('refills continuously and tells how long to wait', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const limiter = new RateLimiter({ rpm: 60, itpm: undefined, otpm: undefined }, t0);
    for (let i = 0; i < 60; i++) expect(limiter.admit(0, 0, t0).ok).toBe(true);
    const refused = limiter.admit(0, 0, t0);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.headers['retry-after']).toBe('1');
    // One request per second comes back.
    expect(limiter.admit(0, 0, t0 + 1000).ok).toBe(true);
    expect(limiter.admit(0, 0, t0 + 1000).ok).toBe(false);
    const headers = limiter.headers(t0 + 1000);
    expect(headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(headers['anthropic-ratelimit-requests-reset']).toBe('2026-01-01T00:01:01Z');
  });

  it('names the bucket that refused and waits for the slowest one', () => {
    const t0 = 0;
    const limiter = new RateLimiter({ rpm: 1000, itpm: 600, otpm: undefined }, t0);
    expect(limiter.admit(600, 10, t0).ok).toBe(true);
    const refused = limiter.admit(300, 10, t0);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.status).toBe(429);
    expect(refused.error.message).toContain('600 input tokens per minute');
    expect(refused.error.headers['retry-after']).toBe('30');
  });

  it('admits a request bigger than the whole bucket once the bucket is full', () => {
    const limiter = new RateLimiter({ rpm: undefined, itpm: undefined, otpm: 100 }, 0);
    const admission = limiter.admit(0, 4096, 0);
    expect(admission.ok).toBe(true);
    expect(limiter.headers(0)['anthropic-ratelimit-output-tokens-remaining']).toBe('0');
  });
});
