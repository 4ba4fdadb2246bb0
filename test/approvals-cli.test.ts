import { type Approval, defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { cli } from './support/cli.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

/** Runs `fn` over `items` with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

function makeAgent(counts: Map<string, number>) {
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const refund = defineTool({
    name: 'issue_refund',
    description: 'Refund',
    input: z.object({ order: z.string() }),
    risk: 'high',
    run: ({ order }) => (bump(order), `refunded ${order}`),
  });
  const status = defineTool({
    name: 'order_status',
    description: 'Status',
    input: z.object({ order: z.string() }),
    risk: 'safe',
    run: ({ order }) => `shipped ${order}`,
  });
  return defineAgent({ name: 'support', system: 'Support agent.', tools: [refund, status] });
}

describe('approvals through the agentq CLI', () => {
  test('a batch of 100 sessions where half need approval all complete when approved through the CLI', async ({ redisUrl, queueName, prefix }) => {
    const refunds = new Map<string, number>();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(refunds)], workers: 2, worker: { concurrency: 10 } });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const items = Array.from({ length: 100 }, (_, i) => {
        const order = `ord_${i}`;
        const call = i % 2 === 0 ? { tool: 'issue_refund', input: { order } } : { tool: 'order_status', input: { order } };
        return { agent: 'support', input: scripted(`Handle ${order}.`, [call, { text: `handled ${order}` }]) };
      });
      const started = await h.producer.startBatch(items);
      const ids = started.map((s) => s.sessionId);
      const parked = await h.producer.waitAll(ids, { timeoutMs: 60_000, untilParked: true });
      expect(parked.filter((r) => r.status === 'awaiting_approval')).toHaveLength(50);
      expect(parked.filter((r) => r.status === 'completed')).toHaveLength(50);
      expect(refunds.size).toBe(0);

      const listed = JSON.parse((await cli(env, ['approvals', '--limit', '1000', '--json'])).stdout) as Approval[];
      expect(listed).toHaveLength(50);
      expect(new Set(listed.map((a) => a.tool))).toEqual(new Set(['issue_refund']));

      const startedAt = Date.now();
      const decisions = await pool(
        listed,
        8,
        async (a) => JSON.parse((await cli(env, ['approve', a.approvalId, '--by', 'ci-bot', '--json'])).stdout) as Approval & { resumed: boolean },
      );
      const cliMs = Date.now() - startedAt;
      expect(decisions.filter((d) => d.status === 'approved' && d.decidedBy === 'ci-bot' && d.resumed)).toHaveLength(50);

      const done = await h.producer.waitAll(ids, { timeoutMs: 60_000 });
      expect(done.filter((r) => r.status === 'completed')).toHaveLength(100);
      // Every refund ran exactly once: 50 orders, each counted once.
      expect(refunds.size).toBe(50);
      expect([...refunds.values()].every((n) => n === 1)).toBe(true);
      expect(JSON.parse((await cli(env, ['approvals', '--json'])).stdout)).toEqual([]);
      console.log(
        `approvals-cli: 100 sessions, 50 parked, 50 approved via CLI in ${cliMs}ms (8 at a time), 100 completed, refunds run once each: ${refunds.size}`,
      );
    } finally {
      await h.close();
    }
  }, 600_000);

  test('agentq deny --reason resumes the session; deciding again exits 1 with approval_already_decided', async ({ redisUrl, queueName, prefix }) => {
    const refunds = new Map<string, number>();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(refunds)] });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const { sessionId } = await h.producer.start({
        agent: 'support',
        input: scripted('Refund.', [{ tool: 'issue_refund', input: { order: 'o1' } }, { text: 'No refund.' }]),
      });
      await h.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true });
      const [approval] = await h.producer.approvals.list({ sessionId });
      const id = (approval as Approval).approvalId;
      const denied = JSON.parse((await cli(env, ['deny', id, '--reason', 'policy says no', '--by', 'dana', '--json'])).stdout) as Approval;
      expect(denied).toMatchObject({ status: 'denied', decidedBy: 'dana', decisionReason: 'policy says no' });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(refunds.size).toBe(0);

      const again = await cli(env, ['approve', id, '--json']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/approval_already_decided: approval .* was already denied by dana \(policy says no\)/);
      const missing = await cli(env, ['deny', 'nope', '--reason', 'x']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/approval_not_found/) });
    } finally {
      await h.close();
    }
  });

  // The approvals table was ~330 characters wide: whole approval ids, inputs and reasons.
  test('the approvals table shortens ids and stays narrow; approve takes the short id, --json keeps ids whole', async ({ redisUrl, queueName, prefix }) => {
    const refunds = new Map<string, number>();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(refunds)] });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const { sessionId } = await h.producer.start({
        agent: 'support',
        tenant: 'acme',
        input: scripted('Refund.', [{ tool: 'issue_refund', input: { order: `o-${'x'.repeat(120)}` } }, { text: 'Refunded.' }]),
      });
      await h.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true });
      const [whole] = JSON.parse((await cli(env, ['approvals', '--json'])).stdout) as Approval[];
      expect(whole?.sessionId).toBe(sessionId);
      const id = (whole as Approval).approvalId;
      expect(id.length).toBeGreaterThan(40);

      const lines = (await cli(env, ['approvals'])).stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      const short = `${id.slice(0, 12)}..${id.slice(-6)}`;
      expect(lines[2]?.startsWith(`${short}  `)).toBe(true);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(200);

      const approved = JSON.parse((await cli(env, ['approve', short, '--by', 'erin', '--json'])).stdout) as Approval;
      expect(approved).toMatchObject({ approvalId: id, status: 'approved', decidedBy: 'erin' });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(refunds.size).toBe(1);
      const gone = await cli(env, ['approve', short]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(gone).toMatchObject({ code: 1, stderr: expect.stringContaining(`no pending approval matches ${short}`) });
    } finally {
      await h.close();
    }
  });
});
