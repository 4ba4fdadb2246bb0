import { AgentqError, type Approval, defineAgent, defineTool, type LimitsInput } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { type Harness, scripted, startHarness } from './support/harness.js';
import { toolResultsSent, until } from './support/tool-results.js';

function makeAgent(runs: string[]) {
  const deleteRecord = defineTool({
    name: 'delete_record',
    description: 'Delete a record for good',
    input: z.object({ id: z.string() }),
    risk: 'high',
    run: ({ id }) => {
      runs.push(`delete:${id}`);
      return `deleted ${id}`;
    },
  });
  const lookup = defineTool({
    name: 'lookup',
    description: 'Read a record',
    input: z.object({ id: z.string() }),
    risk: 'safe',
    run: ({ id }) => {
      runs.push(`lookup:${id}`);
      return `record ${id}`;
    },
  });
  const pay = defineTool({
    name: 'pay',
    description: 'Pay an amount',
    input: z.object({ amount: z.number() }),
    risk: 'medium',
    policy: ({ amount }) => (amount > 100 ? 'high' : undefined),
    run: ({ amount }) => {
      runs.push(`pay:${amount}`);
      return `paid ${amount}`;
    },
  });
  // Some sessions below run with maxAutoRisk up to high: the agent lets them.
  return defineAgent({ name: 'ops', system: 'You operate records.', tools: [deleteRecord, lookup, pay], maxLimits: { maxAutoRisk: 'high' } });
}

async function startParked(h: Harness, script: unknown[], limits: LimitsInput = {}): Promise<{ sessionId: string; approvals: Approval[] }> {
  const { sessionId } = await h.producer.start({ agent: 'ops', input: scripted('Do the risky thing.', script), limits });
  const parked = await h.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true });
  expect(parked.status).toBe('awaiting_approval');
  return { sessionId, approvals: await h.producer.approvals.list({ sessionId }) };
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return AgentqError.isInstance(error) ? error.code : String(error);
  }
}

describe('risk gate and durable approvals', () => {
  test('a high call parks the session with no job running; approve runs it exactly once', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const { sessionId, approvals } = await startParked(h, [{ tool: 'delete_record', input: { id: 'cus_1' } }, { text: 'Deleted.' }]);
      expect(approvals).toHaveLength(1);
      const [approval] = approvals as [Approval];
      expect(approval).toMatchObject({ sessionId, step: 0, tool: 'delete_record', input: { id: 'cus_1' }, risk: 'high', status: 'pending', agent: 'ops' });
      expect(approval.reason).toMatch(/delete_record is a high-risk tool; this session runs at most low risk without approval/);
      expect(approval.expiresAt - approval.requestedAt).toBe(3_600_000);

      // Parked means parked: no step job anywhere, no worker busy, only the approval's timeout job waiting.
      const counts = await h.producer.queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      expect(counts).toEqual({ active: 0, waiting: 0, delayed: 1, prioritized: 0 });
      const [delayed] = await h.producer.queue.getJobs(['delayed']);
      expect(delayed?.name).toBe('approval-timeout');
      expect(runs).toEqual([]);

      const decision = await h.producer.approvals.approve(approval.approvalId, { by: 'alice' });
      expect(decision).toMatchObject({ resumed: true, remaining: 0, approval: { status: 'approved', decidedBy: 'alice' } });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(result.output).toBe('Deleted.');
      expect(runs).toEqual(['delete:cus_1']);
      expect(toolResultsSent(h.mock)).toEqual([expect.objectContaining({ content: 'deleted cus_1' })]);
      // The resumed step reused its checkpointed model response: two model calls in all, not three.
      expect(h.mock.requests().filter((r) => r.status === 200)).toHaveLength(2);

      const events = await h.producer.events(sessionId);
      expect(events.filter((e) => e.type === 'approval_requested')).toHaveLength(1);
      const decided = events.filter((e) => e.type === 'approval_decided');
      expect(decided).toHaveLength(1);
      expect(decided[0]?.data).toMatchObject({ approvalId: approval.approvalId, decision: 'approved', by: 'alice', resumed: true });
      expect(typeof decided[0]?.data.decidedAt).toBe('number');

      expect(await errorCode(h.producer.approvals.approve(approval.approvalId, { by: 'mallory' }))).toBe('approval_already_decided');
      expect(await errorCode(h.producer.approvals.deny(approval.approvalId, { by: 'mallory', reason: 'late' }))).toBe('approval_already_decided');
      expect(await errorCode(h.producer.approvals.approve(`${sessionId}-s0-toolu_missing`, { by: 'mallory' }))).toBe('approval_not_found');
      expect(runs).toEqual(['delete:cus_1']);
    } finally {
      await h.close();
    }
  });

  test('deny never runs the tool and the model reads who denied it and why', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const { sessionId, approvals } = await startParked(h, [{ tool: 'delete_record', input: { id: 'cus_2' } }, { text: 'Understood, not deleted.' }]);
      await h.producer.approvals.deny((approvals[0] as Approval).approvalId, { by: 'bob', reason: 'too risky' });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(runs).toEqual([]);
      // What the model was actually sent, from the mock's request log.
      const last = h.mock.requests().at(-1)?.body as { messages: Array<{ role: string; content: unknown }> };
      const blocks = last.messages.at(-1)?.content as Array<{ type: string; content: string; is_error?: boolean }>;
      expect(blocks).toEqual([expect.objectContaining({ type: 'tool_result', is_error: true, content: 'Action denied by bob: too risky' })]);
    } finally {
      await h.close();
    }
  });

  test('an approval nobody decides is denied with reason timeout by system, and the session goes on', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'ops',
        input: scripted('Delete.', [{ tool: 'delete_record', input: { id: 'cus_3' } }, { text: 'Timed out.' }]),
        limits: { approvalTimeoutMs: 300 },
      });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(runs).toEqual([]);
      expect(toolResultsSent(h.mock)).toEqual([expect.objectContaining({ is_error: true, content: 'Action denied by system: timeout' })]);
      const decided = (await h.producer.events(sessionId)).filter((e) => e.type === 'approval_decided');
      expect(decided.map((e) => e.data)).toEqual([expect.objectContaining({ decision: 'denied', by: 'system', reason: 'timeout' })]);
    } finally {
      await h.close();
    }
  });

  test('deciding an expired approval is approval_expired; the timeout job then denies it', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const { sessionId, approvals } = await startParked(h, [{ tool: 'delete_record', input: { id: 'cus_4' } }, { text: 'ok' }], { approvalTimeoutMs: 200 });
      await (h.workers[0] as Harness['workers'][number]).close(); // nobody runs the timeout job yet
      const approval = approvals[0] as Approval;
      await until('expiry', async () => (Date.now() > approval.expiresAt ? true : undefined));
      expect(await errorCode(h.producer.approvals.approve(approval.approvalId, { by: 'alice' }))).toBe('approval_expired');
      expect((await h.producer.get(sessionId))?.status).toBe('awaiting_approval');
      await h.startWorker();
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(runs).toEqual([]);
      expect(await h.producer.approvals.get(approval.approvalId)).toMatchObject({ status: 'denied', decidedBy: 'system', decisionReason: 'timeout' });
    } finally {
      await h.close();
    }
  });

  test('several gated calls in one turn each get an approval; the session resumes when the last is decided', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const turn = [
        { tool: 'delete_record', input: { id: 'a' } },
        { tool: 'lookup', input: { id: 'b' } },
        { tool: 'delete_record', input: { id: 'c' } },
      ];
      const { sessionId, approvals } = await startParked(h, [turn, { text: 'Half done.' }]);
      expect(approvals).toHaveLength(2);
      expect(runs).toEqual(['lookup:b']); // the call that needs no decision ran at once
      const byId = (id: string) => approvals.find((a) => (a.input as { id: string }).id === id) as Approval;
      const first = await h.producer.approvals.approve(byId('a').approvalId, { by: 'alice' });
      expect(first).toMatchObject({ resumed: false, remaining: 1 });
      expect((await h.producer.get(sessionId))?.status).toBe('awaiting_approval');
      const second = await h.producer.approvals.deny(byId('c').approvalId, { by: 'bob', reason: 'wrong record' });
      expect(second).toMatchObject({ resumed: true, remaining: 0 });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      expect(runs.sort()).toEqual(['delete:a', 'lookup:b']);
      const history = await h.producer.history(sessionId);
      const results = history[2]?.message.content as Array<{ content: string; is_error?: boolean }>;
      expect(results.map((r) => r.content)).toEqual(['deleted a', 'record b', 'Action denied by bob: wrong record']);
      expect(results[2]?.is_error).toBe(true);
    } finally {
      await h.close();
    }
  });

  test('risks compare by order and policies raise them: only calls above maxAutoRisk park', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const cases: Array<{ name: string; call: unknown; maxAutoRisk: 'safe' | 'low' | 'medium' | 'high'; parks: boolean }> = [
        // as strings 'safe' > 'low': an alphabetical compare would park this one
        { name: 'safe under low', call: { tool: 'lookup', input: { id: 'x' } }, maxAutoRisk: 'low', parks: false },
        // as strings 'high' < 'low': an alphabetical compare would run this one
        { name: 'high over low', call: { tool: 'delete_record', input: { id: 'y' } }, maxAutoRisk: 'low', parks: true },
        { name: 'high under high', call: { tool: 'delete_record', input: { id: 'z' } }, maxAutoRisk: 'high', parks: false },
        { name: 'medium pay under medium', call: { tool: 'pay', input: { amount: 50 } }, maxAutoRisk: 'medium', parks: false },
        { name: 'pay raised to high by policy', call: { tool: 'pay', input: { amount: 500 } }, maxAutoRisk: 'medium', parks: true },
      ];
      const started = await h.producer.startBatch(
        cases.map((c) => ({ agent: 'ops', input: scripted(c.name, [c.call, { text: 'done' }]), limits: { maxAutoRisk: c.maxAutoRisk } })),
      );
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 20_000, untilParked: true },
      );
      expect(results.map((r) => r.status)).toEqual(cases.map((c) => (c.parks ? 'awaiting_approval' : 'completed')));
      expect(runs.sort()).toEqual(['delete:z', 'lookup:x', 'pay:50']);
      const pending = await h.producer.approvals.list();
      expect(pending.map((a) => `${a.tool}:${a.risk}`).sort()).toEqual(['delete_record:high', 'pay:high']);
      expect(pending.find((a) => a.tool === 'pay')?.reason).toMatch(/policy of pay raised this call from medium to high/);
    } finally {
      await h.close();
    }
  });

  test('cancelling a parked session drops its pending approvals', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const { sessionId, approvals } = await startParked(h, [{ tool: 'delete_record', input: { id: 'q' } }, { text: 'x' }]);
      expect(await h.producer.cancel(sessionId)).toBe('cancelled');
      expect(await h.producer.approvals.list()).toEqual([]);
      expect(await errorCode(h.producer.approvals.approve((approvals[0] as Approval).approvalId, { by: 'alice' }))).toBe('approval_already_decided');
      expect((await h.producer.get(sessionId))?.status).toBe('cancelled');
      expect(runs).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
