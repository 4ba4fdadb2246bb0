import { costMicroUsd, defineAgent, defineTool, isEventOf, serverToolMicroUsd } from '@agentq/shared';
import { BATCH_PRICE_FACTOR } from '@agentq/worker';
import { z } from 'zod';
import { eventsUntil } from './support/events.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const MODEL = 'claude-sonnet-5-5';

function researcher(calls: string[]) {
  const note = defineTool({
    name: 'note',
    description: 'Write a note',
    input: z.object({ text: z.string() }),
    risk: 'safe',
    run: ({ text }) => {
      calls.push(text);
      return `noted:${text}`;
    },
  });
  return defineAgent({
    name: 'researcher',
    model: MODEL,
    system: 'You research.',
    tools: [note],
    serverTools: [
      { kind: 'web_search', risk: 'safe' },
      { kind: 'code_execution', risk: 'safe' },
    ],
  });
}

// Step 0 searches the web and runs code on Anthropic's side, then calls a client tool; step 1 answers.
const SCRIPT = [
  {
    server: [
      { tool: 'web_search', input: { query: 'queue fairness' } },
      { tool: 'code_execution', input: { code: 'print(2 + 2)' } },
    ],
    tool: 'note',
    input: { text: 'found' },
  },
  { text: 'Researched and noted.' },
];

type Block = { type: string; id?: string; tool_use_id?: string };

describe('server tools', () => {
  // No test had real server-tool result blocks coming back: they must be kept verbatim in the history, sent back
  // on the next request, survive a fork (replay from a step), and be priced (web search per use, code execution
  // per container time).
  test('server_tool_use and result blocks flow through history, the next request and a fork; searches and container time are priced', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [researcher(calls)] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'researcher', input: scripted('Research queue fairness.', SCRIPT) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result).toMatchObject({ output: 'Researched and noted.', steps: 2 });
      expect(calls).toEqual(['found']);

      // The first response's content, as the mock answered it.
      const requests = h.mock.requests();
      expect(requests).toHaveLength(2);
      const firstTools = (requests[0]!.body as { tools: Array<{ name: string; type?: string }> }).tools.map((t) => t.type ?? t.name);
      expect(firstTools).toEqual(expect.arrayContaining(['web_search_20260318', 'code_execution_20260521']));
      const second = requests[1]!.body as { messages: Array<{ role: string; content: Block[] | string }> };
      const assistant = second.messages.find((m) => m.role === 'assistant');
      const types = (assistant?.content as Block[]).map((b) => b.type);
      console.log(`assistant blocks sent back: ${types.join(',')}`);
      expect(types).toEqual(['server_tool_use', 'web_search_tool_result', 'server_tool_use', 'code_execution_tool_result', 'tool_use']);

      // History keeps the blocks verbatim, ids and results included.
      const history = await h.producer.history(sessionId);
      const stored = history.find((e) => e.message.role === 'assistant')?.message.content as Block[];
      expect(stored.map((b) => b.type)).toEqual(types);
      const { cache_control: _cc, ...lastSent } = (assistant?.content as Array<Block & { cache_control?: unknown }>).at(-1)!;
      expect([...(assistant?.content as Block[]).slice(0, -1), lastSent]).toEqual(stored);
      expect(stored[1]!.tool_use_id).toBe(stored[0]!.id);
      expect(stored[3]!.tool_use_id).toBe(stored[2]!.id);

      // One search ($10 per 1,000) and one code execution (5 minutes at $0.05 per hour) on top of the tokens.
      const events = await eventsUntil(h, sessionId, 'session_completed');
      const modelCalls = events.filter(isEventOf('model_call')).map((e) => e.data);
      const serverCost = serverToolMicroUsd({ usage: { server_tool_use: { web_search_requests: 1 } }, content: stored });
      expect(serverCost).toBe(10_000 + 4167);
      const first = modelCalls[0]!;
      console.log(`step 0 cost: $${first.usage.costUsd} = tokens ${costMicroUsd(MODEL, first.usage)} + server tools ${serverCost} micro-dollars`);
      expect(Math.round(first.usage.costUsd * 1e6)).toBe(costMicroUsd(MODEL, first.usage) + serverCost);
      expect(Math.round(modelCalls[1]!.usage.costUsd * 1e6)).toBe(costMicroUsd(MODEL, modelCalls[1]!.usage));
      const record = await h.producer.get(sessionId);
      expect(Math.round((record?.usage.costUsd ?? 0) * 1e6)).toBe(modelCalls.reduce((s, c) => s + Math.round(c.usage.costUsd * 1e6), 0));

      // A fork from step 1 replays the history with the server blocks and sends them to the model again.
      h.mock.clearRequests();
      const fork = await h.producer.fork(sessionId, { fromStep: 1 });
      const forked = await h.producer.wait(fork.sessionId, { timeoutMs: 20_000 });
      expect(forked).toMatchObject({ status: 'completed', output: 'Researched and noted.', steps: 2 });
      const forkRequest = h.mock.requests()[0]!.body as { messages: Array<{ role: string; content: Block[] | string }> };
      const forkAssistant = forkRequest.messages.find((m) => m.role === 'assistant')?.content as Block[];
      expect(forkAssistant.map((b) => b.type)).toEqual(types);
      const timeline = await h.producer.timeline(sessionId);
      expect(timeline.steps[0]?.tools.map((t) => t.tool)).toEqual(['note']);
    } finally {
      await h.close();
    }
  });

  // The batch lane priced a batch-lane call's tokens only: its server tools were not counted at all.
  test('a batch-lane call: tokens at the batch rate, server tools on top at their own rate', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [researcher(calls)],
      mock: { batchDelayMs: 20 },
      worker: { batch: { maxBatchSize: 500, maxAgeMs: 50, pollIntervalMs: 50 } },
    });
    try {
      const { sessionId } = await h.producer.start({ agent: 'researcher', input: scripted('Research in the batch lane.', SCRIPT), urgency: 'batch' });
      const result = await h.producer.wait(sessionId, { timeoutMs: 30_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(h.mock.requests()).toHaveLength(0);
      const events = await eventsUntil(h, sessionId, 'session_completed');
      const modelCalls = events.filter(isEventOf('model_call')).map((e) => e.data);
      expect(modelCalls.map((c) => c.lane)).toEqual(['batch', 'batch']);
      const first = modelCalls[0]!;
      const full = costMicroUsd(MODEL, first.usage);
      const tokens = Math.ceil(full * BATCH_PRICE_FACTOR);
      console.log(`batch step 0 cost: $${first.usage.costUsd} = tokens ${tokens} (of ${full}) + server tools 14167 micro-dollars; saved $${first.savedUsd}`);
      expect(Math.round(first.usage.costUsd * 1e6)).toBe(tokens + 10_000 + 4167);
      expect(Math.round((first.savedUsd ?? 0) * 1e6)).toBe(full - tokens);
      const record = await h.producer.get(sessionId);
      expect(Math.round((record?.usage.costUsd ?? 0) * 1e6)).toBe(modelCalls.reduce((n, c) => n + Math.round(c.usage.costUsd * 1e6), 0));
    } finally {
      await h.close();
    }
  });
});
