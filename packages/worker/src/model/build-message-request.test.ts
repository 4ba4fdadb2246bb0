import { defineAgent, estimateInputTokens, type HistoryEntry, LimitsInput, resolveLimits } from '@agentq/shared';
import { parseHistoryLines } from '@agentq/shared/internal';
import { describe, expect, it, vi } from 'vitest';
import { buildMessageRequest } from './build-message-request.js';

const limits = resolveLimits(LimitsInput.parse({ maxAutoRisk: 'low' }), undefined);

describe('buildMessageRequest', () => {
  it('sends history messages as they are (only the last one, which carries the breakpoint, is a copy)', () => {
    const agent = defineAgent({ name: 'a', system: 'sys', tools: [] });
    const lines = Array.from({ length: 40 }, (_, i): HistoryEntry => ({
      step: i,
      message: { role: i % 2 === 0 ? 'user' : 'assistant', content: `message ${i}` },
    })).map((entry) => JSON.stringify(entry));
    const loaded = parseHistoryLines(lines);
    const messages = loaded.entries.map((e) => e.message);
    const { params } = buildMessageRequest({ agent, limits, systemNotes: [], messages, maxTokens: 100 });
    expect(params.messages.slice(0, -1).every((m, i) => m === messages[i])).toBe(true);
    expect(params.messages.at(-1)).not.toBe(messages.at(-1));
    expect(messages.at(-1)?.content).toBe('message 39');
    // So the request's estimate finds them among the lengths the load knows: the same value, 3 serializations (system, tools, the last message).
    const stringify = vi.spyOn(JSON, 'stringify');
    let estimate: number;
    try {
      estimate = estimateInputTokens(params, loaded.messageChars);
      expect(stringify.mock.calls.length).toBe(3);
    } finally {
      stringify.mockRestore();
    }
    expect(estimate).toBe(Math.ceil(JSON.stringify([params.system, params.messages, null]).length / 4));
  });

  it('passes thinking, effort, tool choice, output format, service tier and the tenant through', () => {
    const agent = defineAgent({
      name: 'a',
      system: 'sys',
      tools: [],
      thinking: { type: 'adaptive' },
      effort: 'low',
      toolChoice: { type: 'auto', disableParallelToolUse: true },
      outputFormat: { type: 'json_schema', schema: { type: 'object' } },
      serviceTier: 'standard_only',
      serverTools: [{ kind: 'web_fetch', risk: 'low', allowedDomains: ['example.com'] }],
    });
    const { params } = buildMessageRequest({ agent, limits, systemNotes: [], messages: [{ role: 'user', content: 'hi' }], maxTokens: 1000, tenant: 'acme' });
    expect(params).toMatchObject({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'low', format: { type: 'json_schema', schema: { type: 'object' } } },
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      service_tier: 'standard_only',
      metadata: { user_id: 'acme' },
    });
    expect(params.tools).toEqual([
      { type: 'web_fetch_20260318', name: 'web_fetch', allowed_domains: ['example.com'], cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
  });

  it('caches the system prompt for an hour and the conversation at its last block; thinking blocks are never marked', () => {
    const agent = defineAgent({ name: 'a', system: 'sys', tools: [] });
    const { params } = buildMessageRequest({ agent, limits, systemNotes: ['summary'], messages: [{ role: 'user', content: 'task' }], maxTokens: 100 });
    expect(params.system).toEqual([
      { type: 'text', text: 'sys', cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'summary' },
    ]);
    expect(params.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'task', cache_control: { type: 'ephemeral' } }] }]);
    const thinkingLast = buildMessageRequest({
      agent,
      limits,
      systemNotes: [],
      messages: [
        { role: 'user', content: 'task' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }] },
      ],
      maxTokens: 100,
    });
    expect(JSON.stringify(thinkingLast.params.messages)).not.toContain('cache_control');
  });

  it('gates server tools above maxAutoRisk before the call and asks the API to drop stale thinking when told', () => {
    const agent = defineAgent({
      name: 'a',
      system: 's',
      tools: [],
      thinking: { type: 'enabled', budgetTokens: 4000 },
      serverTools: [{ kind: 'code_execution', risk: 'high' }],
    });
    const built = buildMessageRequest({ agent, limits, systemNotes: [], messages: [{ role: 'user', content: 'x' }], maxTokens: 3000, dropStaleThinking: true });
    expect(built.gatedServerTools).toEqual(['code_execution']);
    expect(built.params.tools).toBeUndefined();
    // budget_tokens must stay under max_tokens.
    expect(built.params.thinking).toEqual({ type: 'enabled', budget_tokens: 2999, block_binding: { prefix_mismatch_behavior: 'drop_block' } });
  });
});
