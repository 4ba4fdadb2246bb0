import Anthropic, { type APIError, RateLimitError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockAnthropic, type MockOptions, type MockServer } from './index.js';

const MODEL = 'claude-sonnet-4-6';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let mock: MockServer | undefined;
afterEach(() => mock?.close());

async function setup(opts: MockOptions): Promise<Anthropic> {
  mock = await startMockAnthropic({ chunkDelayMs: 0, ...opts });
  return new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
}

const params = (content = 'hello', max_tokens = 100): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens,
  messages: [{ role: 'user', content }],
});

describe('rate limits', () => {
  it('answers 429 with retry-after and ratelimit headers once RPM is used up', async () => {
    const client = await setup({ rpm: 2 });
    const { response } = await client.messages.create(params()).withResponse();
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('2');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('1');
    expect(response.headers.get('anthropic-ratelimit-requests-reset')).toMatch(RFC3339);
    expect(response.headers.get('anthropic-ratelimit-input-tokens-limit')).toBeNull();
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    await client.messages.create(params());

    const err = await client.messages.create(params()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const rl = err as RateLimitError;
    expect(rl.status).toBe(429);
    expect(rl.type).toBe('rate_limit_error');
    expect(rl.apiMessage).toBe(
      'This request would exceed the rate limit for your organization of 2 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
    );
    const retryAfter = Number(rl.headers?.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(29);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(rl.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(mock?.requests().map((r) => r.status)).toEqual([200, 200, 429]);
  });

  it('limits input tokens per minute and reports the tighter token bucket', async () => {
    const client = await setup({ itpm: 100, otpm: 10_000 });
    const { response } = await client.messages.create(params('x'.repeat(200))).withResponse();
    expect(response.headers.get('anthropic-ratelimit-input-tokens-remaining')).toBe('50');
    expect(response.headers.get('anthropic-ratelimit-tokens-limit')).toBe('100');
    expect(response.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('50');
    const err = await client.messages.create(params('y'.repeat(400))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as APIError).apiMessage).toContain('of 100 input tokens per minute');
  });

  it('charges max_tokens against OTPM up front and refunds the unused part', async () => {
    const client = await setup({ otpm: 1000 });
    await client.messages.create(params('hi', 500));
    const { response } = await client.messages.create(params('hi', 500)).withResponse();
    // 1000 - 500 charged + ~497 refunded, then 500 charged again.
    expect(Number(response.headers.get('anthropic-ratelimit-output-tokens-remaining'))).toBeGreaterThanOrEqual(490);
  });

  it('puts ratelimit headers on validation errors too', async () => {
    const client = await setup({ rpm: 10 });
    const err = await client.messages
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect((err as APIError).headers?.get('anthropic-ratelimit-requests-limit')).toBe('10');
  });
});
