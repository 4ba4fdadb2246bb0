import { createRedis } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { Governor, modelFamily, parseRateLimitHeaders, type Permit } from '@agentq/worker';
import { describe, expect, test } from './support/fixtures.js';

const MODEL = 'claude-sonnet-4-6';

function headers(values: Record<string, string | number>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(values)) h.set(k, String(v));
  return h;
}

async function grantedPermit(gov: Governor, estimatedInput = 10, maxTokens = 10, tenant?: string): Promise<Permit> {
  const result = await gov.acquire({ model: MODEL, estimatedInput, maxTokens, tenant });
  if (!result.granted) throw new Error(`expected a grant, got a wait of ${result.waitMs}ms (${result.reason})`);
  return result.permit;
}

describe('the rate-limit governor: Lua token buckets against real Redis', () => {
  test('a full requests bucket grants its limit, then the next call waits one refill interval', async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { requestsPerMinute: 60 }, maxInlineWaitMs: 0 });
    let granted = 0;
    for (let i = 0; i < 60; i++) if ((await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 })).granted) granted++;
    const next = await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 });
    expect(granted).toBe(60);
    expect(next.granted).toBe(false);
    expect(next.reason).toBe('requests');
    // 60 per minute = one per second; the first 60 calls took a few ms of refill.
    expect(next.waitMs).toBeGreaterThan(700);
    expect(next.waitMs).toBeLessThanOrEqual(1000);
  });

  test('200 concurrent acquires from two connections against RPM 100 grant exactly 100 (atomic)', async ({ redis, redisUrl, prefix }) => {
    const other = createRedis(redisUrl);
    try {
      const a = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { requestsPerMinute: 100 }, maxInlineWaitMs: 0 });
      const b = new Governor(other, new Keys(prefix), { apiKey: 'k', limits: { requestsPerMinute: 100 }, maxInlineWaitMs: 0 });
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 })));
      const granted = results.filter((r) => r.granted).length;
      console.log(`granted ${granted} of 200 at RPM 100`);
      // Refill during the burst (100/min = 1 per 600 ms) may add one at most.
      expect(granted).toBeGreaterThanOrEqual(100);
      expect(granted).toBeLessThanOrEqual(101);
    } finally {
      other.disconnect();
    }
  });

  test('input tokens: the estimate is reserved, and settling with the real usage gives the difference back', async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { inputTokensPerMinute: 6000 }, maxInlineWaitMs: 0 });
    const first = await grantedPermit(gov, 5000, 10);
    expect(first.charged.inputTokens).toBe(5000);
    const blocked = await gov.acquire({ model: MODEL, estimatedInput: 2000, maxTokens: 10 });
    expect(blocked.granted).toBe(false);
    expect(blocked.reason).toBe('input_tokens');
    // 1000 missing at 100 tokens/s.
    expect(blocked.waitMs).toBeGreaterThan(9000);
    expect(blocked.waitMs).toBeLessThanOrEqual(10_000);
    // The call really used 800 input tokens + 200 written to the cache; cache reads do not count.
    const levels = await gov.settle(first, { usage: { input_tokens: 800, cache_creation_input_tokens: 200, output_tokens: 5 }, status: 200 });
    expect(levels.inputTokens).toBeGreaterThanOrEqual(5000);
    expect((await gov.acquire({ model: MODEL, estimatedInput: 2000, maxTokens: 10 })).granted).toBe(true);
  });

  test('output tokens: max_tokens is reserved and the unused part refunded on settle', async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { outputTokensPerMinute: 1000 }, maxInlineWaitMs: 0 });
    const permit = await grantedPermit(gov, 10, 800);
    const blocked = await gov.acquire({ model: MODEL, estimatedInput: 10, maxTokens: 800 });
    expect(blocked).toMatchObject({ granted: false, reason: 'output_tokens' });
    await gov.settle(permit, { usage: { input_tokens: 10, output_tokens: 50 }, status: 200 });
    expect((await gov.acquire({ model: MODEL, estimatedInput: 10, maxTokens: 800 })).granted).toBe(true);
  });

  test('limits and remaining amounts are learned from anthropic-ratelimit-* headers', async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', maxInlineWaitMs: 0 });
    // Nothing known yet: the call is not governed and nothing is charged.
    const first = await grantedPermit(gov);
    expect(first.charged).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0 });
    await gov.settle(first, {
      status: 200,
      usage: { input_tokens: 10, output_tokens: 10 },
      headers: headers({
        'anthropic-ratelimit-requests-limit': 100,
        'anthropic-ratelimit-requests-remaining': 3,
        'anthropic-ratelimit-requests-reset': new Date(Date.now() + 60_000).toISOString(),
      }),
    });
    let granted = 0;
    for (let i = 0; i < 5; i++) if ((await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 })).granted) granted++;
    expect(granted).toBe(3);
    const wait = await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 });
    // 100/min = one per 600 ms.
    expect(wait).toMatchObject({ granted: false, reason: 'requests' });
    expect(wait.waitMs).toBeLessThanOrEqual(600);
    expect(await redis.hget(gov.key(MODEL), 'r:limit')).toBe('100');
  });

  test("a 429 gives the reservation back and lowers the bucket to the API's remaining exactly", async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { requestsPerMinute: 600 }, maxInlineWaitMs: 0 });
    const permit = await grantedPermit(gov);
    const levels = await gov.settle(permit, {
      status: 429,
      headers: headers({ 'anthropic-ratelimit-requests-limit': 600, 'anthropic-ratelimit-requests-remaining': 0 }),
    });
    expect(levels.requests).toBe(0);
    expect((await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 })).granted).toBe(false);
  });

  test('a reservation due within maxInlineWaitMs is granted in advance; later ones pause', async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { requestsPerMinute: 60 }, maxInlineWaitMs: 1500 });
    for (let i = 0; i < 60; i++) await grantedPermit(gov);
    const ahead = await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 });
    expect(ahead.granted).toBe(true);
    expect(ahead.waitMs).toBeGreaterThan(700);
    expect(ahead.waitMs).toBeLessThanOrEqual(1000);
    // The bucket is now in debt by one: the next call is ~2 s out, past the inline limit.
    const later = await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1 });
    expect(later.granted).toBe(false);
    expect(later.waitMs).toBeGreaterThan(1500);
  });

  test('a tenant share caps one tenant without starving the others', async ({ redis, prefix }) => {
    const gov = new Governor(redis, new Keys(prefix), { apiKey: 'k', limits: { requestsPerMinute: 60 }, maxInlineWaitMs: 0, tenantShare: 0.5 });
    let a = 0;
    for (let i = 0; i < 40; i++) if ((await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1, tenant: 'a' })).granted) a++;
    const blocked = await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1, tenant: 'a' });
    let b = 0;
    for (let i = 0; i < 40; i++) if ((await gov.acquire({ model: MODEL, estimatedInput: 1, maxTokens: 1, tenant: 'b' })).granted) b++;
    expect(a).toBe(30);
    expect(blocked.reason).toBe('tenant_requests');
    expect(b).toBe(30);
  });

  test('buckets are per API key and model family', async ({ redis, prefix }) => {
    const keys = new Keys(prefix);
    const one = new Governor(redis, keys, { apiKey: 'key-one', limits: { requestsPerMinute: 1 }, maxInlineWaitMs: 0 });
    const two = new Governor(redis, keys, { apiKey: 'key-two', limits: { requestsPerMinute: 1 }, maxInlineWaitMs: 0 });
    expect((await one.acquire({ model: 'claude-sonnet-4-6', estimatedInput: 1, maxTokens: 1 })).granted).toBe(true);
    // Same family (Sonnet 4.x) shares the limit; another family and another key do not.
    expect((await one.acquire({ model: 'claude-sonnet-4-5-20250929', estimatedInput: 1, maxTokens: 1 })).granted).toBe(false);
    expect((await one.acquire({ model: 'claude-haiku-4-5', estimatedInput: 1, maxTokens: 1 })).granted).toBe(true);
    expect((await two.acquire({ model: 'claude-sonnet-4-6', estimatedInput: 1, maxTokens: 1 })).granted).toBe(true);
    expect(one.key('claude-sonnet-4-6')).not.toContain('key-one');
    expect(modelFamily('claude-3-5-haiku-latest')).toBe('haiku-3');
    expect(modelFamily('claude-opus-4-1')).toBe('opus-4');
  });

  test('rate-limit headers: remaining is derived from reset when absent; no headers means nothing learned', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const parsed = parseRateLimitHeaders(
      headers({ 'anthropic-ratelimit-input-tokens-limit': 60_000, 'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:30Z' }),
      now,
    );
    expect(parsed?.inputTokens).toEqual({ limit: 60_000, remaining: 30_000, resetAt: now + 30_000 });
    expect(parseRateLimitHeaders(headers({ 'request-id': 'x' }))).toBeUndefined();
  });
});
