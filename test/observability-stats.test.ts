import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineAgent, defineTool } from '@agentq/shared';
import type { Stats } from '@agentq/producer';
import { z } from 'zod';
import { eventsUntil } from './support/events.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../packages/producer/dist/bin/agentq.js', import.meta.url));

function makeAgents() {
  let flakyCalls = 0;
  const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => value });
  const flaky = defineTool({
    name: 'flaky',
    description: 'Fails once',
    input: z.object({}),
    risk: 'safe',
    retries: 2,
    run: () => {
      flakyCalls += 1;
      if (flakyCalls === 1) throw new Error('transient');
      return 'ok';
    },
  });
  const broken = defineTool({
    name: 'broken',
    description: 'Always fails',
    input: z.object({}),
    risk: 'safe',
    retries: 2,
    run: () => {
      throw new Error('down');
    },
  });
  const ping = defineTool({ name: 'ping', description: 'Ping', input: z.object({}), risk: 'safe', run: () => 'pong' });
  return [
    defineAgent({ name: 'alpha', system: 'Alpha.', tools: [echo, flaky, broken] }),
    defineAgent({ name: 'beta', system: 'Beta.', tools: [ping], maxLimits: { loop: { threshold: 50 } } }),
  ];
}

describe('stats from the event stream', () => {
  test('per-tool, per-agent and rate-limit numbers match a scripted run exactly', async ({ redisUrl, queueName, prefix }) => {
    const since = Date.now();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: makeAgents(), mock: { failNext: [{ status: 429, retryAfterSec: 1 }] } });
    try {
      const s1 = await h.producer.start({
        agent: 'alpha',
        input: scripted('One.', [{ tool: 'echo', input: { value: 'x' } }, { tool: 'flaky', input: {} }, { tool: 'broken', input: {} }, { text: 'ok' }]),
      });
      const r1 = await h.producer.wait(s1.sessionId, { timeoutMs: 30_000 });
      const s2 = await h.producer.start({
        agent: 'alpha',
        input: scripted('Two.', [{ tool: 'echo', input: { value: 'y' } }, { tool: 'echo', input: { value: 3 } }, { text: 'ok' }]),
      });
      const s3 = await h.producer.start({
        agent: 'beta',
        input: scripted('Ping forever.', [{ tool: 'ping', input: {} }], { loop: true }),
        limits: { maxSteps: 2, loop: { threshold: 50, window: 60 } },
      });
      const [r2, r3] = await h.producer.waitAll([s2.sessionId, s3.sessionId], { timeoutMs: 30_000 });
      expect([r1.status, r2?.status, r3?.status]).toEqual(['completed', 'completed', 'budget_exceeded']);
      await eventsUntil(h, s1.sessionId, 'session_completed');
      await eventsUntil(h, s2.sessionId, 'session_completed');
      await eventsUntil(h, s3.sessionId, 'session_failed');

      const stats = await h.producer.stats({ since });
      console.log(JSON.stringify({ tools: stats.tools, agents: stats.agents, rateLimits: stats.rateLimits }, null, 1));
      const tool = (name: string) => stats.tools.find((t) => t.tool === name);
      expect(tool('echo')).toMatchObject({ calls: 3, ran: 2, errors: 1, errorsByCode: { tool_invalid_input: 1 }, retries: 0 });
      expect(tool('flaky')).toMatchObject({ calls: 1, ran: 1, errors: 0, errorsByCode: {}, retries: 1 });
      expect(tool('broken')).toMatchObject({ calls: 1, ran: 1, errors: 1, errorsByCode: { tool_failed: 1 }, retries: 2 });
      expect(tool('ping')).toMatchObject({ calls: 2, ran: 2, errors: 0, retries: 0 });
      for (const t of stats.tools.filter((x) => x.ran > 0)) expect(t.p95Ms).toBeGreaterThanOrEqual(t.p50Ms as number);

      const alpha = stats.agents.find((a) => a.agent === 'alpha');
      const beta = stats.agents.find((a) => a.agent === 'beta');
      expect(alpha).toMatchObject({ started: 2, finished: { completed: 2 }, steps: 7 });
      expect(beta).toMatchObject({ started: 1, finished: { budget_exceeded: 1 }, steps: 2 });
      const sessions = [r1, r2, r3].map((r) => r?.usage);
      expect(alpha?.tokens.input).toBe((sessions[0]?.inputTokens ?? 0) + (sessions[1]?.inputTokens ?? 0));
      expect(alpha?.tokens.output).toBe((sessions[0]?.outputTokens ?? 0) + (sessions[1]?.outputTokens ?? 0));
      expect(beta?.tokens.input).toBe(sessions[2]?.inputTokens);
      expect(alpha?.costUsd).toBeCloseTo((sessions[0]?.costUsd ?? 0) + (sessions[1]?.costUsd ?? 0), 6);
      expect(stats.budgets.stops).toEqual({ max_steps: 1 });
      expect(stats.loops).toEqual({ warnings: 0, detected: 0 });
      expect(stats.rateLimits).toMatchObject({ model429s: 1, pauses: 1 });
      expect(stats.rateLimits.pauseMs).toBeGreaterThanOrEqual(1000);

      const onlyBeta = await h.producer.stats({ since, agent: 'beta' });
      expect(onlyBeta.tools.map((t) => t.tool)).toEqual(['ping']);
      expect(onlyBeta.agents.map((a) => a.agent)).toEqual(['beta']);

      const env = { ...process.env, REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
      const cli = JSON.parse((await run(process.execPath, [CLI, 'stats', '--since', '1h', '--json'], { env })).stdout) as Stats;
      expect(cli.tools).toEqual(stats.tools);
      expect(cli.agents).toEqual(stats.agents);
      const text = (await run(process.execPath, [CLI, 'stats', '--since', '15m', '--agent', 'alpha'], { env })).stdout;
      console.log(text);
      expect(text).toMatch(/broken\s+1\s+1\s+1\s+tool_failed:1\s+2/);
    } finally {
      await h.close();
    }
  });
});
