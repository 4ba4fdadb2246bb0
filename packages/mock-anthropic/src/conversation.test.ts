import Anthropic, { APIError, BadRequestError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockScript, startMockAnthropic, type MockServer } from './index.js';

const MODEL = 'claude-sonnet-4-6';
const tools: Anthropic.Tool[] = [
  { name: 'read_file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
  { name: 'list_dir', input_schema: { type: 'object', properties: { dir: { type: 'string' } } } },
];
const TOOL_ID = /^toolu_[A-Za-z0-9]{24}$/;

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 0 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());

function ask(messages: Anthropic.MessageParam[], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) {
  return client.messages.create({ model: MODEL, max_tokens: 1024, tools, messages, ...extra });
}

function results(message: Anthropic.Message): Anthropic.MessageParam {
  return {
    role: 'user',
    content: message.content
      .filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')
      .map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: `result of ${b.id}` })),
  };
}

const threeTurns = mockScript([
  { tool: 'list_dir', input: { dir: '/src' } },
  [
    { tool: 'read_file', input: { path: 'a.ts' } },
    { tool: 'read_file', input: { path: 'b.ts' } },
  ],
  { text: 'Both files are fine.' },
]);

describe('scripted conversation', () => {
  it('answers a tool call, parallel tool calls, then text, each with its stop reason', async () => {
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: `Please review.\n${threeTurns}` }];

    const first = await ask(history);
    expect(first).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'tool_use', stop_sequence: null });
    expect(first.id).toMatch(/^msg_/);
    expect(first.content).toEqual([
      { type: 'tool_use', id: expect.stringMatching(TOOL_ID), name: 'list_dir', input: { dir: '/src' }, caller: { type: 'direct' } },
    ]);

    history.push({ role: 'assistant', content: first.content }, results(first));
    const second = await ask(history);
    expect(second.stop_reason).toBe('tool_use');
    expect(second.content).toEqual([
      { type: 'tool_use', id: expect.stringMatching(TOOL_ID), name: 'read_file', input: { path: 'a.ts' }, caller: { type: 'direct' } },
      { type: 'tool_use', id: expect.stringMatching(TOOL_ID), name: 'read_file', input: { path: 'b.ts' }, caller: { type: 'direct' } },
    ]);
    const ids = [...first.content, ...second.content].map((b) => (b as Anthropic.ToolUseBlock).id);
    expect(new Set(ids).size).toBe(3);

    history.push({ role: 'assistant', content: second.content }, results(second));
    const third = await ask(history);
    expect(third.stop_reason).toBe('end_turn');
    expect(third.content).toEqual([{ type: 'text', text: 'Both files are fine.', citations: null }]);
    expect(third.usage.output_tokens).toBe(Math.ceil('Both files are fine.'.length / 4));

    history.push({ role: 'assistant', content: third.content }, { role: 'user', content: 'Anything else?' });
    const fourth = await ask(history);
    expect(fourth.content).toEqual([{ type: 'text', text: 'Script finished.', citations: null }]);
    expect(fourth.stop_reason).toBe('end_turn');
  });

  it('gives the same answer and ids when a request is retried', async () => {
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: threeTurns }];
    const first = await ask(history);
    history.push({ role: 'assistant', content: first.content }, results(first));
    const a = await ask(history);
    const b = await ask(history);
    expect(b.content).toEqual(a.content);
    expect(b.stop_reason).toBe(a.stop_reason);
    expect(a.id).not.toBe(b.id);
  });

  it('keeps its place when old turns are dropped from the history', async () => {
    const task: Anthropic.MessageParam = { role: 'user', content: threeTurns };
    const first = await ask([task]);
    const firstResults = results(first);
    const second = await ask([task, { role: 'assistant', content: first.content }, firstResults]);
    const full = await ask([
      task,
      { role: 'assistant', content: first.content },
      firstResults,
      { role: 'assistant', content: second.content },
      results(second),
    ]);
    const windowed = await ask([task, { role: 'assistant', content: second.content }, results(second)]);
    expect(windowed.content).toEqual(full.content);
    expect(windowed.content).toEqual([{ type: 'text', text: 'Both files are fine.', citations: null }]);
  });

  it('makes different tool_use ids for different conversations', async () => {
    const script = mockScript([{ tool: 'list_dir', input: {} }]);
    const a = await ask([{ role: 'user', content: `job 1 ${script}` }]);
    const b = await ask([{ role: 'user', content: `job 2 ${script}` }]);
    expect((a.content[0] as Anthropic.ToolUseBlock).id).not.toBe((b.content[0] as Anthropic.ToolUseBlock).id);
  });

  it('counts assistant turns when the history has no ids the mock made', async () => {
    const script = mockScript([{ tool: 'list_dir', input: {} }, { text: 'second turn' }]);
    const answer = await ask([
      { role: 'user', content: script },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_made_by_someone', name: 'list_dir', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_made_by_someone', content: 'x' }] },
    ]);
    expect(answer.content).toEqual([{ type: 'text', text: 'second turn', citations: null }]);
  });

  it('loops a script when asked to', async () => {
    const history: Anthropic.MessageParam[] = [{ role: 'user', content: mockScript([{ tool: 'list_dir', input: { dir: '.' } }], { loop: true }) }];
    for (let turn = 0; turn < 4; turn++) {
      const answer = await ask(history);
      expect(answer.stop_reason).toBe('tool_use');
      expect(answer.content[0]).toMatchObject({ name: 'list_dir', input: { dir: '.' } });
      history.push({ role: 'assistant', content: answer.content }, results(answer));
    }
  });

  it('answers text followed by a tool call, and forced stop reasons', async () => {
    const script = mockScript([
      { text: 'Let me look.', tool: 'list_dir', input: { dir: '/' } },
      { text: 'I cannot help with that.', stop_reason: 'refusal' },
    ]);
    const first = await ask([{ role: 'user', content: script }]);
    expect(first.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    expect(first.stop_reason).toBe('tool_use');
    const second = await ask([{ role: 'user', content: script }, { role: 'assistant', content: first.content }, results(first)]);
    expect(second.stop_reason).toBe('refusal');
    expect(second.stop_details).toEqual({ type: 'refusal', category: null, explanation: null });
  });

  it('cuts output at max_tokens and at stop sequences', async () => {
    const script = mockScript([{ text: 'one two three four five six seven eight' }]);
    const short = await ask([{ role: 'user', content: script }], { max_tokens: 2 });
    expect(short.stop_reason).toBe('max_tokens');
    expect(short.content).toEqual([{ type: 'text', text: 'one two ', citations: null }]);
    expect(short.usage.output_tokens).toBe(2);
    const stopped = await ask([{ role: 'user', content: script }], { stop_sequences: ['four'] });
    expect(stopped.stop_reason).toBe('stop_sequence');
    expect(stopped.stop_sequence).toBe('four');
    expect(stopped.content).toEqual([{ type: 'text', text: 'one two three ', citations: null }]);
  });

  it('answers a scripted error `times` times, then the `then` entry', async () => {
    const script = mockScript([{ error: { status: 529, times: 2 }, then: { text: 'recovered' } }]);
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: script }];
    for (let i = 0; i < 2; i++) {
      const err = await ask(messages).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).status).toBe(529);
      expect((err as APIError).type).toBe('overloaded_error');
    }
    const ok = await ask(messages);
    expect(ok.content).toEqual([{ type: 'text', text: 'recovered', citations: null }]);
  });

  it('echoes the last user message without a script', async () => {
    const question = 'What is the capital of France? Please answer in one word only, thanks a lot!';
    const answer = await ask([{ role: 'user', content: question }]);
    expect(answer.content).toEqual([{ type: 'text', text: `Mock reply to: ${question.slice(0, 60)}`, citations: null }]);
    expect(answer.stop_reason).toBe('end_turn');
  });

  it('rejects a malformed script loudly', async () => {
    const err = await ask([{ role: 'user', content: '{"script":[{"tools":"x"}]}' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as APIError).apiMessage).toContain('unknown key "tools"');
  });
});
