import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockScript, startMockAnthropic, type MockServer } from './index.js';

const MODEL = 'claude-sonnet-4-6';
const tools: Anthropic.Tool[] = [{ name: 'search', input_schema: { type: 'object' } }];
const script = mockScript([
  { text: 'Searching for the answer now.', tool: 'search', input: { query: 'ünïcödé 🚀 "quoted"', limit: 5, nested: { a: [1, 2] } } },
  { text: 'The answer is 42, as everyone knows by now.' },
]);

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 1 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());

function comparable(message: Anthropic.Message): Record<string, unknown> {
  const { id: _id, parsed_output: _parsed, ...rest } = message as Anthropic.Message & { parsed_output?: unknown };
  return rest;
}

describe('streaming', () => {
  it('finalMessage() of a stream equals the non-streaming answer, turn after turn', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: script }];
    for (const expectedStop of ['tool_use', 'end_turn']) {
      const params = { model: MODEL, max_tokens: 1024, tools, messages };
      const plain = await client.messages.create(params);
      const streamed = await client.messages.stream(params).finalMessage();
      expect(streamed.stop_reason).toBe(expectedStop);
      expect(comparable(streamed)).toEqual(comparable(plain));
      const toolUses = plain.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      messages.push(
        { role: 'assistant', content: plain.content },
        { role: 'user', content: toolUses.map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: 'found' })) },
      );
    }
  });

  it('sends the API event sequence, with text and input_json deltas', async () => {
    const stream = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      tools,
      stream: true,
      messages: [{ role: 'user', content: script }],
    });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((t) => t === 'content_block_start')).toHaveLength(2);
    expect(types.filter((t) => t === 'content_block_stop')).toHaveLength(2);
    const deltaTypes = new Set(events.flatMap((e) => (e.type === 'content_block_delta' ? [e.delta.type] : [])));
    expect(deltaTypes).toEqual(new Set(['text_delta', 'input_json_delta']));
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(start.message.content).toEqual([]);
    expect(start.message.stop_reason).toBeNull();
    const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
    expect(delta.delta.stop_reason).toBe('tool_use');
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
  });

  it('fails mid-stream with event: error when a failNext entry says midStream', async () => {
    mock.setOptions({ failNext: [{ status: 529, midStream: true }] });
    mock.clearRequests();
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: mockScript([{ text: 'a fairly long answer that is streamed in several chunks' }]) }],
    });
    const seen: string[] = [];
    stream.on('text', (t) => seen.push(t));
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).type).toBe('overloaded_error');
    expect((err as APIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(seen.length).toBeGreaterThan(0);
    expect(mock.requests()).toMatchObject([{ status: 200, error: 'overloaded_error' }]);
  });
});
