import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockScript, startMockAnthropic, type MockServer } from './index.js';

const MODEL = 'claude-sonnet-4-6';

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 0 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.setOptions({ batchDelayMs: 0, batchFailNext: [] }));

const params = (content: string, extra: Record<string, unknown> = {}): Anthropic.MessageCreateParamsNonStreaming => ({
  model: MODEL,
  max_tokens: 100,
  messages: [{ role: 'user', content }],
  ...extra,
});

async function resultsOf(id: string): Promise<Anthropic.Messages.MessageBatchIndividualResponse[]> {
  const out: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
  for await (const r of await client.messages.batches.results(id)) out.push(r);
  return out;
}

describe('/v1/messages/batches', () => {
  it('answers each request as /v1/messages would, with batch usage, once the batch ends', async () => {
    const script = mockScript([{ tool: 'search_web', input: { q: 'x' } }, { text: 'done' }]);
    const batch = await client.messages.batches.create({
      requests: [
        { custom_id: 'a-1', params: params(script) },
        { custom_id: 'b_2', params: params('hello') },
      ],
    });
    expect(batch).toMatchObject({ type: 'message_batch', processing_status: 'ended', request_counts: { succeeded: 2, processing: 0 } });
    expect(batch.id).toMatch(/^msgbatch_01/);
    const results = await resultsOf(batch.id);
    const byId = Object.fromEntries(results.map((r) => [r.custom_id, r.result]));
    expect(byId['a-1']).toMatchObject({ type: 'succeeded', message: { stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'search_web' }] } });
    expect(byId['b_2']).toMatchObject({ type: 'succeeded', message: { stop_reason: 'end_turn', content: [{ type: 'text', text: 'Mock reply to: hello' }] } });
    const message = (byId['a-1'] as Anthropic.Messages.MessageBatchSucceededResult).message;
    expect(message.usage.service_tier).toBe('batch');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
  });

  it('stays in_progress for batchDelayMs, with no results_url; retrieve and list show it', async () => {
    mock.setOptions({ batchDelayMs: 60_000 });
    const batch = await client.messages.batches.create({ requests: [{ custom_id: 'slow', params: params('hi') }] });
    expect(batch.processing_status).toBe('in_progress');
    expect(batch.results_url).toBeNull();
    expect(batch.request_counts.processing).toBe(1);
    const again = await client.messages.batches.retrieve(batch.id);
    expect(again.processing_status).toBe('in_progress');
    const listed = await client.messages.batches.list({ limit: 1 });
    expect(listed.data[0]?.id).toBe(batch.id);
    await expect(client.messages.batches.results(batch.id)).rejects.toThrow(/results_url/);

    const cancelled = await client.messages.batches.cancel(batch.id);
    expect(cancelled.processing_status).toBe('canceling');
    expect(cancelled.cancel_initiated_at).not.toBeNull();
    const ended = await client.messages.batches.retrieve(batch.id);
    expect(ended).toMatchObject({ processing_status: 'ended', request_counts: { canceled: 1 } });
    expect((await resultsOf(batch.id))[0]?.result).toEqual({ type: 'canceled' });
    await expect(client.messages.batches.delete(batch.id)).resolves.toMatchObject({ type: 'message_batch_deleted' });
    await expect(client.messages.batches.retrieve(batch.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('an invalid request errors its own item only; injected faults expire or error the next items', async () => {
    mock.setOptions({ batchFailNext: [{ result: 'expired' }, { result: 'errored', status: 529 }] });
    const batch = await client.messages.batches.create({
      requests: [
        { custom_id: 'exp', params: params('a') },
        { custom_id: 'err', params: params('b') },
        {
          custom_id: 'bad',
          params: { model: MODEL, messages: [{ role: 'user', content: 'no max_tokens' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming,
        },
        { custom_id: 'ok', params: params('c') },
      ],
    });
    expect(batch.request_counts).toEqual({ processing: 0, succeeded: 1, errored: 2, canceled: 0, expired: 1 });
    const byId = Object.fromEntries((await resultsOf(batch.id)).map((r) => [r.custom_id, r.result]));
    expect(byId.exp).toEqual({ type: 'expired' });
    expect(byId.err).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'overloaded_error' } } });
    expect(byId.bad).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error' } } });
    expect(byId.ok).toMatchObject({ type: 'succeeded' });
  });

  it('a refused fault answers the next create as a whole, then batches are created again', async () => {
    mock.setOptions({ batchFailNext: [{ result: 'refused', status: 529 }] });
    await expect(client.messages.batches.create({ requests: [{ custom_id: 'x', params: params('x') }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(client.messages.batches.create({ requests: [{ custom_id: 'x', params: params('x') }] })).resolves.toMatchObject({
      request_counts: { succeeded: 1 },
    });
  });

  it('refuses a bad custom_id, a repeated custom_id and an empty batch as a whole (400)', async () => {
    const bad = [
      [{ custom_id: 'has space', params: params('x') }],
      [{ custom_id: 'x'.repeat(65), params: params('x') }],
      [
        { custom_id: 'same', params: params('x') },
        { custom_id: 'same', params: params('y') },
      ],
      [],
    ];
    for (const requests of bad) {
      await expect(client.messages.batches.create({ requests })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    }
  });
});
