import { defineAgent, defineTool, type HistoryEntry } from '@agentq/shared';
import type { RecordedRequest } from '@agentq/mock-anthropic';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

// Fable 5.1 thinks adaptively and always, whether or not the request asks: agentq must handle its blocks.
const MODEL = 'claude-fable-5-1';
const SYSTEM = 'You are a research agent. Read pages and report.';

function makeAgent(limits: Record<string, unknown>) {
  const fetchPage = defineTool({
    name: 'fetch_page',
    description: 'Fetch a page of text',
    input: z.object({ n: z.number(), size: z.number() }),
    risk: 'safe',
    run: async ({ n, size }) => `page ${n}: ${'lorem ipsum '.repeat(Math.ceil(size / 12))}`.slice(0, size),
  });
  return defineAgent({ name: 'thinker', model: MODEL, system: SYSTEM, tools: [fetchPage], thinking: { type: 'adaptive' }, effort: 'medium', limits });
}

/** `steps` tool turns, each thinking first, then a final text. */
function thinkingScript(steps: number, size: number): unknown[] {
  const script: unknown[] = [];
  for (let i = 0; i < steps; i++)
    script.push({ thinking: `Page ${i} next; what I know so far shapes what I read.`, tool: 'fetch_page', input: { n: i, size } });
  script.push({ thinking: 'I have read everything.', text: 'All pages read.' });
  return script;
}

interface SentBody {
  system: Array<{ type: string; text: string }>;
  thinking?: { type: string; block_binding?: { prefix_mismatch_behavior?: string } };
  output_config?: { effort?: string };
  messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
}

const agentRequests = (requests: RecordedRequest[]) => requests.filter((r) => r.model === MODEL) as Array<RecordedRequest & { body: SentBody }>;
const thinkingBlocksIn = (body: SentBody) =>
  body.messages.reduce((n, m) => n + (typeof m.content === 'string' ? 0 : m.content.filter((b) => b.type === 'thinking').length), 0);
const startsWithThinking = (e: HistoryEntry) => typeof e.message.content !== 'string' && e.message.content[0]?.type === 'thinking';

describe('thinking agents against the mock’s preserved-thinking rules', () => {
  // Before working memory was prefix-stable this session failed model_bad_request: the mock answered 400 to the
  // first request after a fold (the summary in `system` and the window cut changed the thinking blocks' prefix)
  // and, from 80% of maxSteps on, to the budget notice edited into `system`.
  test('a 50-step session with thinking, a small window, a rolling summary and a budget notice completes', async ({ redisUrl, queueName, prefix }) => {
    const steps = 50;
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ maxSteps: 60, loop: { threshold: 100 }, memory: { windowTokens: 2500, summaryMaxTokens: 300 } })],
    });
    try {
      const input = scripted('Read every page and report.', thinkingScript(steps, 1500));
      const { sessionId } = await h.producer.start({ agent: 'thinker', input });
      const result = await h.producer.wait(sessionId, { timeoutMs: 90_000 });
      const requests = h.mock.requests();
      const rejected = requests.filter((r) => r.status !== 200);
      const sent = agentRequests(requests);
      const events = await h.producer.events(sessionId);
      const summaries = events.filter((e) => e.type === 'summary_created').length;
      const dropAsked = sent.filter((r) => r.body.thinking?.block_binding?.prefix_mismatch_behavior === 'drop_block').length;
      const thinkingSent = sent.reduce((n, r) => n + thinkingBlocksIn(r.body), 0);
      console.log(
        `status=${result.status} error=${result.error?.code ?? 'none'} steps=${result.steps} agentRequests=${sent.length} rejected=${rejected.length} summaries=${summaries} dropAsked=${dropAsked} thinkingBlocksSent=${thinkingSent}`,
      );
      expect(rejected).toEqual([]);
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.output).toBe('All pages read.');
      expect(result.steps).toBe(steps + 1);
      expect(sent).toHaveLength(steps + 1);
      expect(summaries).toBeGreaterThan(0);
      // Every request asked for thinking and effort; the agent's system block never changed.
      expect(sent.every((r) => r.body.thinking?.type === 'adaptive' && r.body.output_config?.effort === 'medium')).toBe(true);
      expect(new Set(sent.map((r) => r.body.system[0]?.text)).size).toBe(1);
      expect(sent.some((r) => JSON.stringify(r.body.system).includes('Budget notice'))).toBe(false);
      // Thinking goes back to the API (the current cycle verbatim, the rest while its prefix holds); the API is
      // asked to drop only what a fold invalidated, so the drop is asked for only once a fold has happened.
      expect(thinkingSent).toBeGreaterThan(steps);
      expect(sent.findIndex((r) => r.body.thinking?.block_binding !== undefined)).toBeGreaterThan(0);

      // History keeps every assistant message as received, thinking first, signature included.
      const history = await h.producer.history(sessionId);
      const assistants = history.filter((e) => e.message.role === 'assistant');
      expect(assistants).toHaveLength(steps + 1);
      expect(assistants.every(startsWithThinking)).toBe(true);
      // The budget notice is appended user content, stored where it was sent.
      const notices = history.filter((e) => e.message.role === 'user' && JSON.stringify(e.message.content).includes('Budget notice'));
      expect(notices).toHaveLength(1);
      // Thinking bills as output: every thinking text is in the session's output tokens.
      const thinkingTokens = assistants.reduce((n, e) => {
        const first = (e.message.content as Array<{ type: string; thinking?: string }>)[0];
        return n + Math.ceil((first?.thinking ?? '').length / 4);
      }, 0);
      expect(result.usage.outputTokens).toBeGreaterThan(thinkingTokens);
    } finally {
      await h.close();
    }
  });

  test('without a window the conversation is append-only: thinking is checked strictly and never needs dropping', async ({ redisUrl, queueName, prefix }) => {
    const steps = 8;
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent({ maxSteps: 10, loop: { threshold: 100 } })] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'thinker', input: scripted('Read the pages.', thinkingScript(steps, 200)) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 30_000 });
      const sent = agentRequests(h.mock.requests());
      expect(h.mock.requests().filter((r) => r.status !== 200)).toEqual([]);
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      // No request asks the API to drop anything: every thinking block sent back still has its prefix.
      expect(sent.every((r) => r.body.thinking?.block_binding === undefined)).toBe(true);
      // Every earlier thinking block goes back: request k carries k of them.
      expect(sent.map((r) => thinkingBlocksIn(r.body))).toEqual(sent.map((_, k) => k));
      // The conversation is cached at its last block, so each step reads the previous step's prompt back.
      expect(result.usage.cacheReadTokens).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});
