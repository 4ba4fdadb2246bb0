import Anthropic, { OverloadedError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockAnthropic, type MockServer, type RecordedRequest } from './index.js';

const MODEL = 'claude-sonnet-4-6';

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 0 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.clearRequests());

const post = (path: string, body: string, headers: Record<string, string> = { 'x-api-key': 'k' }) =>
  fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('/_mock endpoints', () => {
  it('records requests in arrival order, rejected ones included, and clears them', async () => {
    const ok = await client.messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] });
    await client.messages
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch(() => undefined);

    const res = await fetch(`${mock.url}/_mock/requests`);
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const recorded = (await res.json()) as RecordedRequest[];
    expect(recorded).toEqual([
      {
        at: expect.any(Number),
        status: 200,
        requestId: ok._request_id,
        model: MODEL,
        inputTokens: ok.usage.input_tokens,
        outputTokens: ok.usage.output_tokens,
        body: { model: MODEL, max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] },
      },
      expect.objectContaining({ status: 400, model: MODEL, outputTokens: 0, error: 'invalid_request_error' }),
    ]);
    expect(recorded[0]?.at).toBeLessThanOrEqual(recorded[1]?.at ?? 0);
    expect(mock.requests()).toEqual(recorded);

    const cleared = await fetch(`${mock.url}/_mock/requests`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(mock.requests()).toEqual([]);
  });

  it('answers health, and 404 in the API error shape for anything else', async () => {
    expect((await fetch(`${mock.url}/_mock/health`)).status).toBe(200);
    const res = await fetch(`${mock.url}/v1/nothing`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
    expect(body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(body.request_id).toBe(res.headers.get('request-id'));
  });

  it('changes options over POST /_mock/options', async () => {
    const res = await post('/_mock/options', JSON.stringify({ failNext: [{ status: 529 }] }), {});
    expect(res.status).toBe(200);
    expect(((await res.json()) as { failNext: unknown[] }).failNext).toEqual([{ status: 529 }]);
    await expect(client.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OverloadedError);
    const bad = await post('/_mock/options', JSON.stringify({ rpm: -1 }), {});
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('rpm');
  });
});

describe('HTTP-level errors', () => {
  it('answers 401 authentication_error only when x-api-key is missing', async () => {
    const body = JSON.stringify({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    const res = await post('/v1/messages', body, {});
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    expect((await post('/v1/messages', body, { 'x-api-key': 'anything' })).status).toBe(200);
    expect(mock.requests().map((r) => r.status)).toEqual([401, 200]);
  });

  it('answers 413 request_too_large above 32 MB', async () => {
    const res = await post('/v1/messages', JSON.stringify({ pad: 'x'.repeat(33 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(mock.requests()).toMatchObject([{ status: 413, body: null }]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await post('/v1/messages', '{not json');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('token counting and prompt caching', () => {
  const system = 'You are a meticulous reviewer. '.repeat(20);
  const tools: Anthropic.Tool[] = [{ name: 'ls', description: 'list a directory', input_schema: { type: 'object' } }];

  it('count_tokens returns the input tokens a create is billed', async () => {
    const request = { model: MODEL, system, tools, messages: [{ role: 'user' as const, content: 'count me, please' }] };
    const counted = await client.messages.countTokens(request);
    const created = await client.messages.create({ ...request, max_tokens: 10 });
    expect(counted.input_tokens).toBe(created.usage.input_tokens);
    const expected = Math.ceil(JSON.stringify(tools[0]).length / 4) + Math.ceil(system.length / 4) + Math.ceil('count me, please'.length / 4);
    expect(counted.input_tokens).toBe(expected);
  });

  it('writes a cache_control prefix once, then reads it', async () => {
    const request: Anthropic.MessageCreateParamsNonStreaming = {
      model: MODEL,
      max_tokens: 10,
      system: [{ type: 'text', text: `${system} (cache test)`, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'first question' }],
    };
    const total = (await client.messages.countTokens(request)).input_tokens;
    const first = await client.messages.create(request);
    const systemTokens = Math.ceil(`${system} (cache test)`.length / 4);
    expect(first.usage).toMatchObject({
      cache_creation_input_tokens: systemTokens,
      cache_read_input_tokens: 0,
      input_tokens: total - systemTokens,
      cache_creation: { ephemeral_5m_input_tokens: systemTokens, ephemeral_1h_input_tokens: 0 },
    });
    const second = await client.messages.create({ ...request, messages: [{ role: 'user', content: 'second question!' }] });
    expect(second.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: systemTokens });
    expect(second.usage.input_tokens).toBe(Math.ceil('second question!'.length / 4));
    expect(mock.requests().at(-1)?.inputTokens).toBe(systemTokens + second.usage.input_tokens);
  });
});
