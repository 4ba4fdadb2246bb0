import Anthropic, { type APIError, OverloadedError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockAnthropic, type MockServer } from './index.js';

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ask = (model: string): Anthropic.MessageCreateParamsNonStreaming => ({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });

describe('failNext aimed at one model', () => {
  it('fails only requests for that model and leaves the fault queued for it', async () => {
    const mock = await startMockAnthropic({ failNext: [{ status: 529, model: 'claude-haiku-4-5' }] });
    servers.push(mock);
    const client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
    await expect(client.messages.create(ask('claude-sonnet-4-6'))).resolves.toMatchObject({ type: 'message' });
    await expect(client.messages.create(ask('claude-sonnet-4-6'))).resolves.toMatchObject({ type: 'message' });
    const failed = await client.messages.create(ask('claude-haiku-4-5')).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OverloadedError);
    expect((failed as APIError).status).toBe(529);
    await expect(client.messages.create(ask('claude-haiku-4-5'))).resolves.toMatchObject({ type: 'message' });
    expect(mock.requests().map((r) => [r.model, r.status])).toEqual([
      ['claude-sonnet-4-6', 200],
      ['claude-sonnet-4-6', 200],
      ['claude-haiku-4-5', 529],
      ['claude-haiku-4-5', 200],
    ]);
  });

  it('rejects an empty model name in a fault', async () => {
    await expect(startMockAnthropic({ failNext: [{ status: 500, model: '' }] })).rejects.toThrow(/failNext\[0\]\.model/);
  });
});
