import { defineAgent, defineTool, ToolPermissionError, ToolRateLimitError } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { toolResultsSent } from './support/tool-results.js';

const never = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));

describe('tool recovery, end to end', () => {
  test('a timing-out tool is retried, then reported as an error result, and the session completes', async ({ redisUrl, queueName, prefix }) => {
    let runs = 0;
    const slow = defineTool({
      name: 'slow_lookup',
      description: 'A lookup that hangs',
      input: z.object({ q: z.string() }),
      risk: 'safe',
      timeoutMs: 50,
      retries: 2,
      run: async (_input, ctx) => {
        runs += 1;
        return never(ctx.signal);
      },
    });
    const agent = defineAgent({ name: 'recovery', system: 's', tools: [slow] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const script = [{ tool: 'slow_lookup', input: { q: 'x' } }, { text: 'Went on without it.' }];
      const { sessionId } = await h.producer.start({ agent: 'recovery', input: scripted('Look it up.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(result.output).toBe('Went on without it.');
      expect(runs).toBe(3);
      const [sent] = toolResultsSent(h.mock);
      expect(sent).toMatchObject({ is_error: true, content: 'slow_lookup failed after 3 attempts: timeout after 50ms; proceeding without this result.' });
    } finally {
      await h.close();
    }
  });

  test('a permission error is reported to the model without a retry', async ({ redisUrl, queueName, prefix }) => {
    let runs = 0;
    const mail = defineTool({
      name: 'send_mail',
      description: 'Send mail',
      input: z.object({ to: z.string() }),
      risk: 'low',
      retries: 5,
      idempotent: true,
      run: async () => {
        runs += 1;
        throw new ToolPermissionError('the mail API token lacks scope mail.send');
      },
    });
    const agent = defineAgent({ name: 'perm', system: 's', tools: [mail] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const script = [{ tool: 'send_mail', input: { to: 'a@example.com' } }, { text: 'Could not send.' }];
      const { sessionId } = await h.producer.start({ agent: 'perm', input: scripted('Mail it.', script) });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(runs).toBe(1);
      const [sent] = toolResultsSent(h.mock);
      expect(sent?.is_error).toBe(true);
      expect(sent?.content).toMatch(/^Permission denied: the mail API token lacks scope mail\.send\. Do not retry this call/);
    } finally {
      await h.close();
    }
  });

  test('a short tool rate limit is waited out for retryAfterMs in place', async ({ redisUrl, queueName, prefix }) => {
    const starts: number[] = [];
    const api = defineTool({
      name: 'quota_api',
      description: 'Rate limited API',
      input: z.object({}),
      risk: 'safe',
      run: async () => {
        starts.push(Date.now());
        if (starts.length === 1) throw new ToolRateLimitError(300);
        return 'fine';
      },
    });
    const agent = defineAgent({ name: 'ratelimited', system: 's', tools: [api] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'ratelimited', input: scripted('Call it.', [{ tool: 'quota_api', input: {} }, { text: 'ok' }]) });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(starts).toHaveLength(2);
      expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(295);
      expect(toolResultsSent(h.mock)).toEqual([expect.objectContaining({ content: 'fine' })]);
    } finally {
      await h.close();
    }
  });

  test('a long tool rate limit puts the step back on the queue delayed; a non-idempotent tool then runs, not "unknown"', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const starts: number[] = [];
    const charge = defineTool({
      name: 'charge_card',
      description: 'Charge a card',
      input: z.object({ cents: z.number() }),
      risk: 'low',
      idempotent: false,
      run: async () => {
        starts.push(Date.now());
        if (starts.length === 1) throw new ToolRateLimitError(600);
        return 'charged';
      },
    });
    const agent = defineAgent({ name: 'deferring', system: 's', tools: [charge] });
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [agent],
      worker: { step: { stepBackoffMs: 50, maxInlineToolWaitMs: 100, stepAttempts: 5 } },
    });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'deferring',
        input: scripted('Charge.', [{ tool: 'charge_card', input: { cents: 100 } }, { text: 'charged' }]),
      });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(starts).toHaveLength(2);
      expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(590);
      expect(toolResultsSent(h.mock)).toEqual([expect.objectContaining({ content: 'charged' })]);
      // The wait was a delayed job, not a worker holding its slot: step 0 ran as two jobs.
      const completed = await h.producer.queue.getJobs(['completed'], 0, -1);
      const step0 = completed.map((j) => j.id ?? '').filter((id) => id.startsWith(`${sessionId}-s0`));
      expect(step0).toHaveLength(2);
      expect(step0.filter((id) => /-s0-d\d+$/.test(id))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  test('a tool name missing from the agent never runs, even when another agent has it', async ({ redisUrl, queueName, prefix }) => {
    let wipes = 0;
    const wipe = defineTool({ name: 'wipe_disk', description: 'wipe', input: z.object({}), risk: 'safe', run: () => `wiped ${++wipes}` });
    const echo = defineTool({ name: 'echo', description: 'echo', input: z.object({ v: z.string() }), risk: 'safe', run: ({ v }) => v });
    const safeAgent = defineAgent({ name: 'no-wipe', system: 's', tools: [echo] });
    const other = defineAgent({ name: 'wiper', system: 's', tools: [wipe] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [safeAgent, other] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'no-wipe',
        input: scripted('Wipe.', [{ tool: 'wipe_disk', input: {} }, { text: 'no such tool' }]),
      });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(wipes).toBe(0);
      const [sent] = toolResultsSent(h.mock);
      expect(sent).toMatchObject({ is_error: true });
      expect(sent?.content).toMatch(/^There is no tool named "wipe_disk"\. Available tools: echo\./);
    } finally {
      await h.close();
    }
  });

  test("a tenant's allow and deny lists are enforced before a tool runs", async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const echo = defineTool({
      name: 'echo',
      description: 'echo',
      input: z.object({ v: z.string() }),
      risk: 'safe',
      run: ({ v }) => (runs.push(`echo:${v}`), v),
    });
    const add = defineTool({
      name: 'add',
      description: 'add',
      input: z.object({ a: z.number(), b: z.number() }),
      risk: 'safe',
      run: ({ a, b }) => (runs.push('add'), String(a + b)),
    });
    const agent = defineAgent({ name: 'tenanted', system: 's', tools: [echo, add], tenantPolicy: { acme: { deny: ['echo'] }, beta: { allow: ['add'] } } });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const script = [
        [
          { tool: 'echo', input: { v: 'hi' } },
          { tool: 'add', input: { a: 1, b: 2 } },
        ],
        { text: 'done' },
      ];
      const started = await h.producer.startBatch(
        ['acme', 'beta', 'gamma'].map((tenant) => ({ agent: 'tenanted', tenant, input: scripted(`As ${tenant}.`, script) })),
      );
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 20_000 },
      );
      expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      // acme: echo denied, add runs; beta: only add allowed; gamma: no policy, both run.
      expect(runs.filter((r) => r.startsWith('echo'))).toHaveLength(1);
      expect(runs.filter((r) => r === 'add')).toHaveLength(3);
      const denied = toolResultsSent(h.mock).filter((r) => r.is_error);
      expect(denied).toHaveLength(2);
      for (const d of denied) expect(d.content).toBe('The tool "echo" is not allowed for this tenant. Do not call it again; choose another approach.');
    } finally {
      await h.close();
    }
  });
});
