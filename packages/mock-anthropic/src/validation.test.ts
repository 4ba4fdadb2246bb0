import Anthropic, { BadRequestError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawMessage } from './conversation.js';
import { startMockAnthropic, type MockServer } from './index.js';
import { prefixHash, signThinking } from './thinking.js';

const MODEL = 'claude-sonnet-4-6';
const tools: Anthropic.Tool[] = [{ name: 'ls', input_schema: { type: 'object' } }];

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 0 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());

async function badRequest(params: unknown): Promise<string> {
  const err = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BadRequestError);
  const apiError = err as BadRequestError;
  expect(apiError.status).toBe(400);
  expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' }, request_id: expect.stringMatching(/^req_/) });
  expect(apiError.requestID).toBe((apiError.error as { request_id: string }).request_id);
  return apiError.apiMessage ?? '';
}

const toolUse = (id: string) => ({ type: 'tool_use' as const, id, name: 'ls', input: {} });
const toolResult = (id: string) => ({ type: 'tool_result' as const, tool_use_id: id, content: 'ok' });

describe('request validation', () => {
  it('rejects a tool_result without a matching tool_use', async () => {
    const message = await badRequest({
      model: MODEL,
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [toolUse('toolu_a')] },
        { role: 'user', content: [toolResult('toolu_a'), toolResult('toolu_x')] },
      ],
    });
    expect(message).toBe(
      'messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
  });

  it('rejects a tool_use that the next message does not answer', async () => {
    const message = await badRequest({
      model: MODEL,
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [toolUse('toolu_a'), toolUse('toolu_b')] },
        { role: 'user', content: [toolResult('toolu_a')] },
      ],
    });
    expect(message).toBe(
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_b. Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    );
  });

  it('accepts an unanswered tool_use in a final (prefill) assistant turn', async () => {
    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [toolUse('toolu_a')] },
      ],
    });
    expect(answer.type).toBe('message');
  });

  it('rejects a system role inside messages', async () => {
    const message = await badRequest({
      model: MODEL,
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'be nice' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(message).toBe('Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.');
  });

  it('requires model, max_tokens and messages', async () => {
    expect(await badRequest({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })).toBe('max_tokens: Field required');
    expect(await badRequest({ max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).toBe('model: Field required');
    expect(await badRequest({ model: MODEL, max_tokens: 10, messages: [] })).toBe('messages: at least one message is required');
    expect(await badRequest({ model: MODEL, max_tokens: 1.5, messages: [{ role: 'user', content: 'hi' }] })).toBe(
      'max_tokens: Input should be a valid integer',
    );
  });

  it('merges consecutive turns of one role before validating', async () => {
    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'first part' },
        { role: 'user', content: 'second part' },
        { role: 'assistant', content: [toolUse('toolu_1')] },
        { role: 'assistant', content: [toolUse('toolu_2')] },
        { role: 'user', content: [toolResult('toolu_1')] },
        { role: 'user', content: [toolResult('toolu_2'), { type: 'text', text: 'go on' }] },
      ],
    });
    expect(answer.stop_reason).toBe('end_turn');
  });

  it('checks the first role, block types, tool_result order and tool definitions', async () => {
    expect(await badRequest({ model: MODEL, max_tokens: 10, messages: [{ role: 'assistant', content: 'hi' }] })).toBe(
      'messages: first message must use the "user" role',
    );
    expect(await badRequest({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] })).toMatch(
      /^messages\.0\.content\.0\.type: Input tag 'video' found using 'type' does not match any of the expected tags: 'text', 'image', 'document'/,
    );
    expect(
      await badRequest({
        model: MODEL,
        max_tokens: 10,
        tools,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [toolUse('toolu_a')] },
          { role: 'user', content: [{ type: 'text', text: 'here you go' }, toolResult('toolu_a')] },
        ],
      }),
    ).toMatch(/^messages\.2\.content\.1: `tool_result` blocks must come first/);
    expect(await badRequest({ model: MODEL, max_tokens: 10, tools: [{ name: 'x' }], messages: [{ role: 'user', content: 'hi' }] })).toBe(
      'tools.0.input_schema: Field required',
    );
    expect(await badRequest({ model: MODEL, max_tokens: 10, system: [{ type: 'image' }], messages: [{ role: 'user', content: 'hi' }] })).toBe(
      "system.0.type: Input should be 'text'",
    );
  });

  it('accepts every documented block shape', async () => {
    const system = [{ type: 'text' as const, text: 'You are terse.' }];
    const task: Anthropic.MessageParam = {
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' } },
      ],
    };
    // A thinking block must carry a signature the mock made for this prefix (a made-up one is refused).
    const signature = signThinking(prefixHash({ system, tools: tools as unknown as Record<string, unknown>[], messages: [task as RawMessage] }, 1), 'hmm');
    const answer = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages: [
        task,
        {
          role: 'assistant',
          content: [{ type: 'thinking', thinking: 'hmm', signature }, { type: 'redacted_thinking', data: 'xyz' }, toolUse('toolu_a')],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_a',
              is_error: true,
              content: [
                { type: 'text', text: 'failed' },
                { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
              ],
            },
          ],
        },
      ],
    });
    expect(answer.type).toBe('message');
  });
});
