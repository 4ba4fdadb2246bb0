import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockScript, startMockAnthropic, type MockServer } from './index.js';

const PRIMARY = 'claude-sonnet-5-5';
const FALLBACK = 'claude-opus-5';
const webSearch = { type: 'web_search_20260318', name: 'web_search' } as unknown as Anthropic.ToolUnion;
const codeExecution = { type: 'code_execution_20260521', name: 'code_execution' } as unknown as Anthropic.ToolUnion;

let mock: MockServer;
let client: Anthropic;

beforeAll(async () => {
  mock = await startMockAnthropic({ chunkDelayMs: 0 });
  client = new Anthropic({ baseURL: mock.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => mock.close());

describe('per-model scripting', () => {
  it('answers one model with its byModel entry and every other model with the default', async () => {
    const script = mockScript([{ text: 'Here it is.', byModel: { [PRIMARY]: { text: 'I cannot help with that.', stop_reason: 'refusal' } } }]);
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: `Please.\n${script}` }];
    const refused = await client.messages.create({ model: PRIMARY, max_tokens: 256, messages });
    const dated = await client.messages.create({ model: `${PRIMARY}-20260101`, max_tokens: 256, messages });
    const answered = await client.messages.create({ model: FALLBACK, max_tokens: 256, messages });
    expect(refused.stop_reason).toBe('refusal');
    expect(dated.stop_reason).toBe('refusal');
    expect(answered).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'Here it is.' }] });
  });

  it('refuses a byModel entry that nests another byModel', async () => {
    const script = JSON.stringify({ script: [{ text: 'x', byModel: { [PRIMARY]: { text: 'y', byModel: { a: { text: 'z' } } } } }] });
    await expect(client.messages.create({ model: PRIMARY, max_tokens: 64, messages: [{ role: 'user', content: script }] })).rejects.toThrow(
      /cannot hold \\"byModel\\"/,
    );
  });
});

describe('server tools', () => {
  const script = mockScript([
    {
      server: [
        { tool: 'web_search', input: { query: 'agentq' } },
        { tool: 'code_execution', input: { code: 'print(1)' } },
      ],
      text: 'Found it.',
    },
  ]);

  it('answers server_tool_use and result blocks, counts web searches in usage and names the container', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: `Look it up.\n${script}` }];
    const message = await client.messages.create({ model: PRIMARY, max_tokens: 512, tools: [webSearch, codeExecution], messages });
    expect(message.content.map((b) => b.type)).toEqual(['server_tool_use', 'web_search_tool_result', 'server_tool_use', 'code_execution_tool_result', 'text']);
    const [search, searchResult, code, codeResult] = message.content;
    expect(search).toMatchObject({ name: 'web_search', input: { query: 'agentq' }, id: expect.stringMatching(/^srvtoolu_01/) });
    expect(searchResult).toMatchObject({ tool_use_id: (search as Anthropic.ServerToolUseBlock).id });
    expect(codeResult).toMatchObject({ tool_use_id: (code as Anthropic.ServerToolUseBlock).id, content: { type: 'code_execution_result', return_code: 0 } });
    expect(message.usage.server_tool_use).toEqual({ web_search_requests: 1, web_fetch_requests: 0 });
    expect(message.container?.id).toMatch(/^container_01/);
    expect(message.stop_reason).toBe('end_turn');

    // The blocks go back in the history as received and the next turn is answered.
    const again = await client.messages.create({
      model: PRIMARY,
      max_tokens: 512,
      tools: [webSearch, codeExecution],
      messages: [...messages, { role: 'assistant', content: message.content as Anthropic.ContentBlockParam[] }, { role: 'user', content: 'Thanks.' }],
    });
    expect(again.content).toEqual([{ type: 'text', text: 'Script finished.', citations: null }]);
  });

  it('streams the same blocks and usage', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: `Stream it.\n${script}` }];
    const message = await client.messages.stream({ model: PRIMARY, max_tokens: 512, tools: [webSearch, codeExecution], messages }).finalMessage();
    expect(message.content.map((b) => b.type)).toEqual(['server_tool_use', 'web_search_tool_result', 'server_tool_use', 'code_execution_tool_result', 'text']);
    expect(message.content[0]).toMatchObject({ input: { query: 'agentq' } });
    expect(message.usage.server_tool_use).toEqual({ web_search_requests: 1, web_fetch_requests: 0 });
  });

  it('does not use a server tool the request left out', async () => {
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: `No tools.\n${script}` }];
    const message = await client.messages.create({ model: PRIMARY, max_tokens: 512, tools: [codeExecution], messages });
    expect(message.content.map((b) => b.type)).toEqual(['server_tool_use', 'code_execution_tool_result', 'text']);
    expect(message.usage.server_tool_use).toBeNull();
  });
});
