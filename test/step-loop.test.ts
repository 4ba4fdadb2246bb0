import { defineAgent, defineTool, stepJobId } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

function makeAgent(calls: string[]) {
  const echo = defineTool({
    name: 'echo',
    description: 'Echo a value back',
    input: z.object({ value: z.string() }),
    risk: 'safe',
    run: async ({ value }) => {
      calls.push(value);
      return `echo:${value}`;
    },
  });
  const add = defineTool({
    name: 'add',
    description: 'Add two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    risk: 'safe',
    run: async ({ a, b }) => ({ sum: a + b }),
  });
  return defineAgent({ name: 'tester', system: 'You are a test agent.', tools: [echo, add], maxLimits: { loop: { threshold: 50 } } });
}

describe('the step loop, end to end with real Redis and the real SDK', () => {
  test('a scripted 5-step session runs its tool calls in order and returns the final text', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const script = [
        { tool: 'echo', input: { value: 'one' } },
        { tool: 'echo', input: { value: 'two' } },
        { tool: 'echo', input: { value: 'three' } },
        { tool: 'echo', input: { value: 'four' } },
        { text: 'All done.' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'tester', input: scripted('Echo four words.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(result.output).toBe('All done.');
      expect(result.steps).toBe(5);
      expect(calls).toEqual(['one', 'two', 'three', 'four']);
      // The conversation carries a cache breakpoint, so the prompt is billed as cache writes and reads.
      expect(result.usage.inputTokens + result.usage.cacheWriteTokens + result.usage.cacheReadTokens).toBeGreaterThan(0);
      const history = await h.producer.history(sessionId);
      expect(history.map((e) => e.message.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
    } finally {
      await h.close();
    }
  });

  test('parallel tool calls in one turn are all answered in one user message', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const script = [
        [
          { tool: 'echo', input: { value: 'a' } },
          { tool: 'echo', input: { value: 'b' } },
          { tool: 'add', input: { a: 2, b: 3 } },
        ],
        { text: 'Parallel done.' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'tester', input: scripted('Do three things at once.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(calls.sort()).toEqual(['a', 'b']);
      const history = await h.producer.history(sessionId);
      const results = history[2]?.message.content as Array<{ type: string; content: string }>;
      expect(results.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'tool_result']);
      expect(results[2]?.content).toBe('{"sum":5}');
    } finally {
      await h.close();
    }
  });

  test('invalid tool input goes back to the model as an error result and the session recovers', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const script = [{ tool: 'echo', input: { value: 42 } }, { tool: 'echo', input: { value: 'fixed' } }, { text: 'Recovered.' }];
      const { sessionId } = await h.producer.start({ agent: 'tester', input: scripted('Try a bad input.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(calls).toEqual(['fixed']);
      const history = await h.producer.history(sessionId);
      const first = (history[2]?.message.content as Array<{ is_error?: boolean; content: string }>)[0];
      expect(first?.is_error).toBe(true);
      expect(first?.content).toMatch(/Invalid input for echo: value:/);
    } finally {
      await h.close();
    }
  });

  test('maxSteps stops an endless script with budget_exceeded / max_steps', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const input = scripted(
        'Loop forever.',
        [
          { tool: 'add', input: { a: 1, b: 1 } },
          { tool: 'add', input: { a: 2, b: 2 } },
        ],
        { loop: true },
      );
      const { sessionId } = await h.producer.start({ agent: 'tester', input, limits: { maxSteps: 4, loop: { threshold: 50, window: 60 } } });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('budget_exceeded');
      expect(result.error?.code).toBe('max_steps');
      expect(result.steps).toBe(4);
    } finally {
      await h.close();
    }
  });

  test('a malformed job fails once, without retry, and the reason is recorded', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent([])] });
    try {
      const job = await h.producer.queue.add('step', { sessionId: 'bad id with spaces', step: -1 }, { attempts: 5, jobId: 'malformed-1' });
      const deadline = Date.now() + 10_000;
      let state = await job.getState();
      while (state !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        state = await job.getState();
      }
      const failed = await h.producer.queue.getJob('malformed-1');
      expect(state).toBe('failed');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toMatch(/malformed step job malformed-1: sessionId/);
      const events = await h.producer.stores.events.since(0, { types: ['job_invalid'] });
      expect(events.some((e) => e.data.jobId === 'malformed-1')).toBe(true);
    } finally {
      await h.close();
    }
  });

  test('a duplicated step job changes nothing', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const script = [{ tool: 'echo', input: { value: 'once' } }, { text: 'Done.' }];
      const { sessionId } = await h.producer.start({ agent: 'tester', input: scripted('Echo once.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      const before = await h.producer.history(sessionId);
      // Re-add step 0 under a fresh id (as a redelivery would) and step 1 under its own id.
      await h.producer.queue.add('step', { sessionId, step: 0 }, { jobId: `${stepJobId(sessionId, 0)}-dup` });
      await h.producer.queue.add('step', { sessionId, step: 1 }, { jobId: stepJobId(sessionId, 1) });
      await new Promise((r) => setTimeout(r, 500));
      expect(await h.producer.history(sessionId)).toEqual(before);
      expect(calls).toEqual(['once']);
      expect((await h.producer.get(sessionId))?.usage).toEqual(result.usage);
    } finally {
      await h.close();
    }
  });
});
