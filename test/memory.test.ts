import { type AgentEvent, defineAgent, defineTool } from '@agentq/shared';
import type { RecordedRequest } from '@agentq/mock-anthropic';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { monitorRedis } from './support/monitor.js';

const AGENT_MODEL = 'claude-sonnet-4-6';
const SUMMARY_MODEL = 'claude-haiku-4-5';
const SYSTEM = 'You are a research agent. Read pages and report.';

function makeAgent(limits: Record<string, unknown>) {
  const fetchPage = defineTool({
    name: 'fetch_page',
    description: 'Fetch a page of text',
    input: z.object({ n: z.number(), part: z.number().optional(), size: z.number() }),
    risk: 'safe',
    run: async ({ n, part, size }) => `page ${n}.${part ?? 0}: ${'lorem ipsum '.repeat(Math.ceil(size / 12))}`.slice(0, size),
  });
  const note = defineTool({
    name: 'note',
    description: 'Write a short note',
    input: z.object({ n: z.number() }),
    risk: 'safe',
    run: async ({ n }) => `noted ${n}`,
  });
  return defineAgent({ name: 'reader', model: AGENT_MODEL, system: SYSTEM, tools: [fetchPage, note], limits });
}

/** `steps` tool turns (every 5th one three parallel calls) and a final text; every input is unique. */
function longScript(steps: number, size: number): unknown[] {
  const script: unknown[] = [];
  for (let i = 0; i < steps; i++) {
    if (i % 5 === 3) {
      script.push([
        { tool: 'fetch_page', input: { n: i, part: 0, size } },
        { tool: 'fetch_page', input: { n: i, part: 1, size: Math.floor(size / 3) } },
        { tool: 'note', input: { n: i } },
      ]);
    } else {
      script.push({ tool: 'fetch_page', input: { n: i, size } });
    }
  }
  script.push({ text: 'All pages read.' });
  return script;
}

interface SentBody {
  system: Array<{ type: string; text: string; cache_control?: unknown }>;
  messages: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
}

function agentRequests(requests: RecordedRequest[]): Array<RecordedRequest & { body: SentBody }> {
  return requests.filter((r) => r.model === AGENT_MODEL) as Array<RecordedRequest & { body: SentBody }>;
}

function firstText(body: SentBody): string {
  const first = body.messages[0];
  if (!first) return '';
  if (typeof first.content === 'string') return first.content;
  return first.content.find((b) => b.type === 'text')?.text ?? '';
}

function count(events: AgentEvent[], type: string): number {
  return events.filter((e) => e.type === type).length;
}

describe('working memory: token window and rolling summary', () => {
  test('a long session with a small window and parallel calls: pairs never split, the task stays pinned, prompts stay bounded', async ({
    redisUrl,
    redis,
    queueName,
    prefix,
  }) => {
    const windowTokens = 2500;
    const summaryMaxTokens = 300;
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ maxSteps: 100, loop: { threshold: 50 }, memory: { windowTokens, summaryMaxTokens } })],
    });
    // Every history read of the session, as Redis ran it (inside scripts too): which entries each step loaded.
    const lines: string[] = [];
    const stopMonitor = await monitorRedis(redisUrl, (line) => {
      if (/"lrange" "[^"]*:history"/i.test(line)) lines.push(line);
    });
    try {
      const steps = 60;
      const input = scripted('Read every page and report.', longScript(steps, 2048));
      const { sessionId } = await h.producer.start({ agent: 'reader', input });
      const result = await h.producer.wait(sessionId, { timeoutMs: 60_000 });
      stopMonitor();
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.output).toBe('All pages read.');
      expect(result.steps).toBe(steps + 1);

      const requests = h.mock.requests();
      const sent = agentRequests(requests);
      const rejected = requests.filter((r) => r.status !== 200);
      // The mock applies the API's ordering and pairing rules: a split pair or a bad role order is a 400.
      console.log(`requests=${requests.length} agent=${sent.length} rejected=${rejected.length}`);
      expect(rejected).toEqual([]);
      expect(sent).toHaveLength(steps + 1);
      for (const req of sent) {
        expect(firstText(req.body)).toBe(input);
        if (req.body.messages.length > 1) expect(req.body.messages[1]?.role).toBe('assistant');
      }

      const events = await h.producer.events(sessionId);
      const summaries = count(events, 'summary_created');
      const summaryRequests = requests.filter((r) => r.model === SUMMARY_MODEL).length;
      console.log(`summaries=${summaries} summaryRequests=${summaryRequests}`);
      expect(summaries).toBeGreaterThan(0);
      expect(summaryRequests).toBe(summaries);
      expect(count(events, 'summary_failed')).toBe(0);
      // Folding goes down to half the window, so summaries come in batches, not at every step.
      expect(summaries).toBeLessThan(steps / 2);

      // The summary rides in a second system block, after the agent's cached one.
      const later = sent.at(-1) as RecordedRequest & { body: SentBody };
      expect(later.body.system[0]).toMatchObject({ text: SYSTEM, cache_control: { type: 'ephemeral' } });
      expect(later.body.system[1]?.text).toContain('<session_summary>');
      expect(later.body.system[1]?.cache_control).toBeUndefined();
      expect(result.usage.cacheReadTokens).toBeGreaterThan(0);
      // The cached prefix (tools + the agent's system block) is byte-identical at every step.
      expect(new Set(sent.map((r) => JSON.stringify([(r.body as unknown as { tools: unknown }).tools, r.body.system[0]]))).size).toBe(1);

      const largest = Math.max(...sent.map((r) => r.inputTokens));
      const first = sent[0]?.inputTokens ?? 0; // tools + system + the pinned task
      const bound = first + windowTokens + summaryMaxTokens + 100; // + bridge note and summary wrapper
      console.log(`largest=${largest} bound=${bound} first=${first}`);
      expect(largest).toBeLessThanOrEqual(bound);

      // History keeps every message whole.
      const history = await h.producer.history(sessionId);
      expect(history).toHaveLength(1 + 2 * steps + 1);

      // A step reads the pinned task and what follows the summary, not the whole history: what it loads stays
      // bounded by the window however long the session grows. Step s runs on 1 + 2s entries (every turn adds
      // an assistant message and its results); its load is the one read that runs to the end of the list. A
      // step job that came before its step's commit loads once more and comes back: taking the n-th load for
      // step n then counts later loads against a longer history than they read, which only makes this stricter.
      const historyKey = `${prefix}:s:{${sessionId}}:history`;
      const loads = lines
        .map((line) => /"lrange" "([^"]*)" "(-?\d+)" "-1"/i.exec(line))
        .filter((m): m is RegExpExecArray => m?.[1] === historyKey)
        .map((m) => Number(m[2]));
      expect(loads.length).toBeGreaterThanOrEqual(steps + 1);
      const loaded = loads.map((from, s) => 1 + 2 * Math.min(s, steps) - from);
      const latest = Math.max(...loaded.slice(-20));
      console.log(`entries loaded by the last 20 steps: at most ${latest}, of ${1 + 2 * steps} in the history`);
      expect(latest).toBeLessThanOrEqual(30);
      const memory = await redis.hgetall(`${prefix}:s:{${sessionId}}:memory`);
      expect(Number(memory.foldedThrough)).toBeGreaterThan(0);
      expect(memory.summary?.length).toBeGreaterThan(0);
      // Each step's model checkpoint left the next step its token calibration: the last two steps' are kept.
      expect(memory['calibration:0']).toMatch(new RegExp(`^${steps}:\\d+:\\d+$`));
      expect(memory['calibration:1']).toMatch(new RegExp(`^${steps - 1}:\\d+:\\d+$`));

      // Usage counts every answered call once, the summary calls included.
      const billed = requests.filter((r) => r.status === 200).reduce((sum, r) => sum + r.inputTokens, 0);
      expect(result.usage.inputTokens + result.usage.cacheReadTokens + result.usage.cacheWriteTokens).toBe(billed);
    } finally {
      stopMonitor();
      await h.close();
    }
  });

  test('the pinned task survives 200 steps', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ maxSteps: 250, loop: { threshold: 50 }, memory: { windowTokens: 4000 } })],
    });
    try {
      const input = scripted('Read two hundred pages.', longScript(200, 2048));
      const { sessionId } = await h.producer.start({ agent: 'reader', input });
      const result = await h.producer.wait(sessionId, { timeoutMs: 120_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.steps).toBe(201);
      const sent = agentRequests(h.mock.requests());
      const pinned = sent.filter((r) => firstText(r.body) === input).length;
      console.log(`steps=${result.steps} requests with the pinned task=${pinned}/${sent.length}`);
      expect(pinned).toBe(201);
      expect(sent.filter((r) => r.status !== 200)).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  test('a failing summary call degrades to a truncation note and a later summary catches up', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ maxSteps: 60, loop: { threshold: 50 }, memory: { windowTokens: 2000 } })],
      mock: {
        failNext: [
          { status: 500, model: SUMMARY_MODEL },
          { status: 529, model: SUMMARY_MODEL },
        ],
      },
    });
    try {
      const { sessionId } = await h.producer.start({ agent: 'reader', input: scripted('Read pages despite a flaky summariser.', longScript(40, 2048)) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 60_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const events = await h.producer.events(sessionId);
      const failed = events.filter((e) => e.type === 'summary_failed');
      console.log(`summary_failed=${failed.length} summary_created=${count(events, 'summary_created')}`);
      expect(failed).toHaveLength(2);
      expect(failed[0]?.data).toMatchObject({ model: SUMMARY_MODEL, code: 'model_server_error' });
      expect(count(events, 'summary_created')).toBeGreaterThan(0);
      const sent = agentRequests(h.mock.requests());
      expect(sent.every((r) => r.status === 200)).toBe(true);
      const truncated = sent.filter((r) => r.body.system.some((b) => b.text.includes('could not be summarised')));
      expect(truncated).toHaveLength(2);
      // The step after a failure folds again, including what was dropped: the summary reaches past it.
      const firstDropped = failed[0]?.data.droppedThrough as number;
      const created = events.filter((e) => e.type === 'summary_created');
      expect(Math.max(...created.map((e) => e.data.foldedThrough as number))).toBeGreaterThan(firstDropped);
    } finally {
      await h.close();
    }
  });

  test('a retried step reuses its checkpointed summary: one summary call and one usage count per folding step', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ maxSteps: 60, loop: { threshold: 50 }, memory: { windowTokens: 2000 } })],
    });
    try {
      // Every turn's model call fails once with 529, so every step (and so every folding step) runs twice.
      const script = longScript(30, 2048).map((entry) =>
        Array.isArray(entry) ? { error: { status: 529 }, then: entry } : { ...(entry as object), error: { status: 529 } },
      );
      const { sessionId } = await h.producer.start({ agent: 'reader', input: scripted('Read pages on a flaky model.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 90_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const requests = h.mock.requests();
      const overloaded = agentRequests(requests).filter((r) => r.status === 529).length;
      const summaryRequests = requests.filter((r) => r.model === SUMMARY_MODEL).length;
      const events = await h.producer.events(sessionId);
      // One summary_created per folding step, written with its checkpointed summary (committed steps' checkpoints
      // are gone by now: each commit deletes the one before it).
      const summarySteps = count(events, 'summary_created');
      console.log(`overloaded=${overloaded} summaryRequests=${summaryRequests} summary_created=${summarySteps}`);
      expect(overloaded).toBe(31);
      expect(summaryRequests).toBeGreaterThan(0);
      // Each folding step ran twice (its model call failed once) and asked for its summary once.
      expect(summaryRequests).toBe(summarySteps);
      const billed = requests.filter((r) => r.status === 200).reduce((sum, r) => sum + r.inputTokens, 0);
      expect(result.usage.inputTokens + result.usage.cacheReadTokens + result.usage.cacheWriteTokens).toBe(billed);
    } finally {
      await h.close();
    }
  });

  test('with memory.countTokens the window is sized by count_tokens and stays bounded', async ({ redisUrl, queueName, prefix }) => {
    const windowTokens = 2000;
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent({ maxSteps: 60, loop: { threshold: 50 }, memory: { windowTokens, summaryMaxTokens: 300, countTokens: true } })],
    });
    try {
      const { sessionId } = await h.producer.start({ agent: 'reader', input: scripted('Read pages, counting tokens.', longScript(25, 2048)) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 60_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const sent = agentRequests(h.mock.requests());
      const largest = Math.max(...sent.map((r) => r.inputTokens));
      const bound = (sent[0]?.inputTokens ?? 0) + windowTokens + 300 + 100;
      expect(largest).toBeLessThanOrEqual(bound);
      expect(h.mock.requests().filter((r) => r.model === SUMMARY_MODEL).length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });

  test('without a window the whole history is sent, with long tool results cut in working memory only', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent({ maxSteps: 20, memory: { maxToolResultChars: 500 } })] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'reader', input: scripted('Read three long pages.', longScript(3, 4000)) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const sent = agentRequests(h.mock.requests());
      const last = sent.at(-1) as RecordedRequest & { body: SentBody };
      expect(last.body.messages).toHaveLength(1 + 2 * 3);
      const results = JSON.stringify(last.body.messages);
      expect(results).toContain('3500 of 4000 characters cut');
      expect(h.mock.requests().filter((r) => r.model === SUMMARY_MODEL)).toHaveLength(0);
      const history = await h.producer.history(sessionId);
      const stored = history[2]?.message.content as Array<{ content: string }>;
      expect(stored[0]?.content).toHaveLength(4000);
    } finally {
      await h.close();
    }
  });
});
