import Anthropic, { type APIError, BadRequestError, InternalServerError, OverloadedError, RateLimitError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockAnthropic, type MockOptions, type MockServer } from './index.js';

const MODEL = 'claude-sonnet-4-6';
const params: Anthropic.MessageCreateParamsNonStreaming = { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(opts: MockOptions): Promise<{ mock: MockServer; client: Anthropic }> {
  const mock = await startMockAnthropic({ chunkDelayMs: 0, ...opts });
  servers.push(mock);
  return { mock, client: new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 }) };
}

describe('fault injection', () => {
  it('answers failNext entries in order: 529 overloaded, 500 api_error, then normally', async () => {
    const { mock, client } = await setup({ failNext: [{ status: 529 }, { status: 500, message: 'boom' }] });
    const overloaded = await client.messages.create(params).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(OverloadedError);
    expect((overloaded as APIError).status).toBe(529);
    expect((overloaded as APIError).error).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: (overloaded as APIError).requestID,
    });

    const failed = await client.messages.create(params).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(InternalServerError);
    expect((failed as APIError).status).toBe(500);
    expect((failed as APIError).error).toMatchObject({ type: 'error', error: { type: 'api_error', message: 'boom' } });

    await expect(client.messages.create(params)).resolves.toMatchObject({ type: 'message' });
    expect(mock.requests().map((r) => [r.status, r.error])).toEqual([
      [529, 'overloaded_error'],
      [500, 'api_error'],
      [200, undefined],
    ]);
  });

  it('answers an injected 429 with its retry-after', async () => {
    const { client } = await setup({ failNext: [{ status: 429, retryAfterSec: 7 }] });
    const err = await client.messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as APIError).headers?.get('retry-after')).toBe('7');
  });

  it('lets the SDK retry an injected fault, as it would against the API', async () => {
    const { mock } = await setup({ failNext: [{ status: 529, retryAfterSec: 0.001 }] });
    const retrying = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 2 });
    await expect(retrying.messages.create(params)).resolves.toMatchObject({ type: 'message' });
    expect(mock.requests().map((r) => r.status)).toEqual([529, 200]);
  });

  it('replays the same random failures for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const { mock, client } = await setup({ failRate: 0.3, overloadRate: 0.3, seed: 42 });
      for (let i = 0; i < 20; i++) await client.messages.create(params).catch(() => undefined);
      return mock.requests().map((r) => r.status);
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 529]));
  });

  it('accepts failNext set while running', async () => {
    const { mock, client } = await setup({});
    mock.setOptions({ failNext: [{ status: 400, message: 'nope' }] });
    const err = await client.messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).apiMessage).toBe('nope');
    expect(() => mock.setOptions({ failRate: 2 })).toThrow(/failRate/);
  });
});
