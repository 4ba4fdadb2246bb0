import Anthropic, { BadRequestError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropic, type MockServer } from './index.js';

const MODEL = 'claude-sonnet-5-5';
const TOOLS: Anthropic.Tool[] = [{ name: 'look', description: 'looks', input_schema: { type: 'object', properties: {} } }];
const TASK = `Do it. ${JSON.stringify({ script: [{ thinking: 'First I look.', tool: 'look' }, { tool: 'look' }, { text: 'done' }] })}`;

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 0 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());

type Params = Anthropic.MessageCreateParamsNonStreaming;
const adaptive = { type: 'adaptive' } as const;
const dropBlock = { type: 'adaptive', block_binding: { prefix_mismatch_behavior: 'drop_block' } } as unknown as Anthropic.ThinkingConfigParam;

function params(messages: Anthropic.MessageParam[], extra: Partial<Params> = {}): Params {
  return { model: MODEL, max_tokens: 4000, system: 'You are careful.', tools: TOOLS, thinking: adaptive, messages, ...extra };
}

/** Two turns of a tool-use cycle: returns the messages so far and the second answer. */
async function twoTurns(): Promise<{ history: Anthropic.MessageParam[]; second: Anthropic.Message }> {
  const first = await client.messages.create(params([{ role: 'user', content: TASK }]));
  const use = first.content.find((b) => b.type === 'tool_use');
  const history: Anthropic.MessageParam[] = [
    { role: 'user', content: TASK },
    { role: 'assistant', content: first.content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: use?.id ?? '', content: 'seen' }] },
  ];
  const second = await client.messages.create(params(history));
  return { history, second };
}

function resultFor(message: Anthropic.Message): Anthropic.MessageParam {
  const use = message.content.find((b) => b.type === 'tool_use');
  return { role: 'user', content: [{ type: 'tool_result', tool_use_id: use?.id ?? '', content: 'seen again' }] };
}

describe('thinking in the mock', () => {
  it('thinks first when the request turns thinking on, as scripted, signed, and billed as output', async () => {
    const on = await client.messages.create(params([{ role: 'user', content: TASK }]));
    expect(on.content[0]).toEqual({ type: 'thinking', thinking: 'First I look.', signature: expect.stringMatching(/^mocksig1\./) });
    expect(on.content[1]?.type).toBe('tool_use');
    expect(on.usage.output_tokens_details?.thinking_tokens).toBe(Math.ceil('First I look.'.length / 4));
    expect(on.usage.output_tokens).toBeGreaterThan(on.usage.output_tokens_details?.thinking_tokens ?? 0);

    const off = await client.messages.create(params([{ role: 'user', content: TASK }], { thinking: { type: 'disabled' } }));
    expect(off.content.map((b) => b.type)).toEqual(['tool_use']);
  });

  it('streams a thinking block with its signature', async () => {
    const stream = client.messages.stream(params([{ role: 'user', content: TASK }]));
    const message = await stream.finalMessage();
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: 'First I look.', signature: expect.stringMatching(/^mocksig1\./) });
  });

  it('accepts an append-only conversation sent back verbatim', async () => {
    const { history, second } = await twoTurns();
    const third = await client.messages.create(params([...history, { role: 'assistant', content: second.content }, resultFor(second)]));
    expect(third.content.map((b) => b.type)).toEqual(['thinking', 'text']);
  });

  it('refuses a thinking block whose text was edited (the signature no longer verifies)', async () => {
    const { history } = await twoTurns();
    const assistant = history[1] as { role: 'assistant'; content: Anthropic.ContentBlock[] };
    const edited = assistant.content.map((b) => (b.type === 'thinking' ? { ...b, thinking: `${b.thinking} (edited)` } : b));
    const err = await client.messages
      .create(params([history[0] as Anthropic.MessageParam, { role: 'assistant', content: edited }, history[2] as Anthropic.MessageParam]))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain('Invalid `signature` in `thinking` block');
  });

  it('requires the current tool-use cycle to come back starting with its thinking', async () => {
    const { history } = await twoTurns();
    const assistant = history[1] as { role: 'assistant'; content: Anthropic.ContentBlock[] };
    const stripped = assistant.content.filter((b) => b.type !== 'thinking');
    const err = await client.messages
      .create(params([history[0] as Anthropic.MessageParam, { role: 'assistant', content: stripped }, history[2] as Anthropic.MessageParam]))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain('must start with a thinking block');
  });

  it('runs the prefix check: a changed system prompt is a 400, or drops the block when the request asks', async () => {
    const { history } = await twoTurns();
    const changed = params(history, { system: 'You are careful. [note: 80% of the budget is spent]' });
    const err = await client.messages.create(changed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toContain('failed the prefix check');

    const dropped = (await client.messages.create({ ...changed, thinking: dropBlock })) as Anthropic.Message & { input_transformations?: unknown[] };
    expect(dropped.input_transformations).toEqual([{ type: 'thinking_dropped', path: 'messages.1.content.0', reason: 'prefix_binding_mismatch' }]);
  });

  it('runs the prefix check on earlier messages too: a cut history fails, an unchanged one passes', async () => {
    const { history, second } = await twoTurns();
    const longer = [...history, { role: 'assistant' as const, content: second.content }, resultFor(second)];
    // Removing the first exchange changes the prefix of the second assistant message's thinking.
    const cut = [{ role: 'user' as const, content: TASK }, ...longer.slice(3)];
    const err = await client.messages.create(params(cut)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toMatch(/^400 .*messages\.1\.content\.0: The thinking block failed the prefix check/);
  });

  it('checks budget_tokens against max_tokens', async () => {
    const err = await client.messages
      .create(params([{ role: 'user', content: TASK }], { max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    const ok = await client.messages.create(
      params([{ role: 'user', content: TASK }], { max_tokens: 3000, thinking: { type: 'enabled', budget_tokens: 2000 } }),
    );
    expect(ok.content[0]?.type).toBe('thinking');
  });
});
