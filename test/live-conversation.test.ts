import { startDashboard, type Dashboard } from '@agentq/producer';
import { type AgentEvent, defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { cli } from './support/cli.js';
import { scripted, startHarness } from './support/harness.js';

const TOKEN = 'conversation-dashboard-token-0123';

type Sent = { messages: Array<{ role: string; content: unknown }> };

function count(events: AgentEvent[], type: string): number {
  return events.filter((e) => e.type === type).length;
}

describe('live sessions: conversations', () => {
  test('a session asks the user twice (answered through the CLI and the API), finishes, and is continued with a follow-up that sees its earlier turns', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const agent = defineAgent({ name: 'booker', system: 'You book trips.', tools: [], askHuman: true });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    let d: Dashboard | undefined;
    try {
      d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
      const input = scripted('Book me a trip.', [
        { tool: 'ask_human', input: { question: 'Which city?' } },
        { tool: 'ask_human', input: { question: 'Which day?' } },
        { text: 'Booked: Lisbon on Friday.' },
        { text: 'You chose Lisbon, on Friday.' },
      ]);
      const { sessionId } = await h.producer.start({ agent: 'booker', input });

      // 1. the first question parks the session; no worker holds it
      expect((await h.producer.wait(sessionId, { timeoutMs: 10_000, untilParked: true })).status).toBe('awaiting_input');
      expect((await h.producer.stores.questions.list(sessionId)).map((q) => q.question)).toEqual(['Which city?']);
      expect(await h.producer.queue.getActiveCount()).toBe(0);
      // a message to a session that waits is the answer; answered through the CLI
      const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
      const viaCli = JSON.parse((await cli(env, ['send', sessionId, 'Lisbon', '--by', 'ana', '--json'])).stdout) as { kind: string; resumed: boolean };
      expect(viaCli).toMatchObject({ kind: 'answered', resumed: true });

      // 2. the second question; answered through the HTTP API
      await expect.poll(async () => (await h.producer.stores.questions.list(sessionId)).length, { timeout: 10_000 }).toBe(2);
      expect((await h.producer.wait(sessionId, { timeoutMs: 10_000, untilParked: true })).status).toBe('awaiting_input');
      const detail = (await (await fetch(`${d.url}/api/sessions/${sessionId}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as {
        questions: Array<{ question: string }>;
      };
      expect(detail.questions.map((q) => q.question)).toEqual(['Which day?']);
      const viaApi = await fetch(`${d.url}/api/sessions/${sessionId}/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: 'Friday' }),
      });
      expect(viaApi.status).toBe(200);
      expect(await viaApi.json()).toMatchObject({ kind: 'answered', resumed: true });

      const first = await h.producer.wait(sessionId, { timeoutMs: 10_000 });
      expect(first).toMatchObject({ status: 'completed', output: 'Booked: Lisbon on Friday.' });
      const answers = (await h.producer.stores.questions.list(sessionId)).map((q) => [q.answer, q.answeredBy]);
      expect(answers).toEqual([
        ['Lisbon', 'ana'],
        ['Friday', 'api'],
      ]);

      // 3. the finished session is continued: a new turn with its memory
      const continued = await h.producer.send(sessionId, 'Which city and day did I choose?');
      expect(continued).toMatchObject({ kind: 'continued', resumed: true });
      const second = await h.producer.wait(sessionId, { timeoutMs: 10_000 });
      expect(second).toMatchObject({ status: 'completed', output: 'You chose Lisbon, on Friday.' });
      // usage and steps carry over: the session counts both turns
      expect(second.steps).toBeGreaterThan(first.steps);
      // (prompt tokens of every kind: with the conversation cached, uncached input alone can stay 0)
      const prompt = (u: typeof first.usage) => u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
      expect(prompt(second.usage)).toBeGreaterThan(prompt(first.usage));

      // the follow-up's model call was sent every earlier turn: both answers, the first reply, the question
      const last = h.mock.requests().at(-1)?.body as Sent;
      const sent = JSON.stringify(last.messages);
      const seen = ['Lisbon', 'Friday', 'Booked: Lisbon on Friday.', 'Which city and day did I choose?'].filter((text) => sent.includes(text));
      console.log(`follow-up request: ${last.messages.length} messages; earlier turns seen ${seen.length}/4; steps ${first.steps} → ${second.steps}`);
      expect(seen).toHaveLength(4);
      // the follow-up is the last message; as the conversation's last block it carries the 5-minute cache breakpoint (docs/models.md, Caching)
      expect(last.messages.at(-1)).toEqual({
        role: 'user',
        content: [{ type: 'text', text: 'Which city and day did I choose?', cache_control: { type: 'ephemeral' } }],
      });

      const events: AgentEvent[] = [];
      // a subscription ends with each turn's end; the next one resumes after it
      for (let turn = 0; turn < 2; turn++) {
        for await (const event of h.producer.subscribe(sessionId, { ...(events.length > 0 ? { from: events.at(-1)?.id } : {}) }))
          events.push(event as AgentEvent);
      }
      const counts = {
        input_requested: count(events, 'input_requested'),
        input_received: count(events, 'input_received'),
        session_completed: count(events, 'session_completed'),
      };
      console.log(`events: ${JSON.stringify(counts)}`);
      expect(counts).toEqual({ input_requested: 2, input_received: 3, session_completed: 2 });

      // a session that ended otherwise takes no message: a parked one cancelled at once refuses it
      const other = await h.producer.start({ agent: 'booker', input });
      await h.producer.wait(other.sessionId, { timeoutMs: 10_000, untilParked: true });
      expect(await h.producer.cancel(other.sessionId)).toBe('cancelled');
      await expect(h.producer.send(other.sessionId, 'Lisbon')).rejects.toThrow(/is cancelled/);
      await expect(cli(env, ['send', other.sessionId, 'Lisbon'])).rejects.toThrow(/is cancelled/);
    } finally {
      await d?.close();
      await h.close();
    }
  });

  test('a question nobody answers times out like an approval: the model gets an error result and the session goes on', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const agent = defineAgent({ name: 'asker', system: 'You ask.', tools: [], askHuman: true, limits: { approvalTimeoutMs: 300 } });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({
        agent: 'asker',
        input: scripted('Ask once.', [{ tool: 'ask_human', input: { question: 'Anyone there?' } }, { text: 'Nobody answered.' }]),
      });
      const result = await h.producer.wait(sessionId, { timeoutMs: 15_000 });
      expect(result).toMatchObject({ status: 'completed', output: 'Nobody answered.' });
      const [question] = await h.producer.stores.questions.list(sessionId);
      expect(question?.answeredBy).toBe('system');
      const sent = h.mock.requests().at(-1)?.body as Sent;
      const toolResult = JSON.stringify(sent.messages.at(-1));
      expect(toolResult).toContain('timed out');
      expect(toolResult).toContain('"is_error":true');
    } finally {
      await h.close();
    }
  });
});

describe('live sessions: editing a gated call before approving it', () => {
  test('an approver edits the arguments of a gated call: an edit that breaks the schema is refused, a valid one is recorded and is what runs', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const refunds: Array<{ orderId: string; amount: number }> = [];
    const refund = defineTool({
      name: 'refund_payment',
      description: 'Refund an order',
      input: z.object({ orderId: z.string(), amount: z.number().positive() }),
      risk: 'high',
      run: (input) => {
        refunds.push(input);
        return { refunded: input.amount };
      },
    });
    const agent = defineAgent({ name: 'refunder', system: 'You refund.', tools: [refund] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    let d: Dashboard | undefined;
    try {
      d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
      const { sessionId } = await h.producer.start({
        agent: 'refunder',
        input: scripted('Refund A-1.', [{ tool: 'refund_payment', input: { orderId: 'A-1', amount: 42.5 } }, { text: 'Refunded.' }]),
      });
      await h.producer.wait(sessionId, { timeoutMs: 10_000, untilParked: true });
      const [approval] = await h.producer.approvals.list({ sessionId });
      if (!approval) throw new Error('no approval');

      // an edit that does not fit the tool's schema is refused and nothing is recorded
      await expect(h.producer.approvals.approve(approval.approvalId, { by: 'dana', input: { orderId: 'A-1', amount: 'lots' } })).rejects.toThrow(
        /does not fit refund_payment's schema/,
      );
      const badApi = await fetch(`${d.url}/api/approvals/${approval.approvalId}/approve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ input: { orderId: 'A-1', amount: -5 } }),
      });
      expect(badApi.status).toBe(400);
      expect((await h.producer.approvals.get(approval.approvalId))?.status).toBe('pending');

      // a valid edit is recorded, and the call runs with it
      const ok = await fetch(`${d.url}/api/approvals/${approval.approvalId}/approve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ by: 'dana', input: { orderId: 'A-1', amount: 20 } }),
      });
      expect(ok.status).toBe(200);
      const result = await h.producer.wait(sessionId, { timeoutMs: 10_000 });
      expect(result.status).toBe('completed');
      console.log(`refunds run: ${JSON.stringify(refunds)}`);
      expect(refunds).toEqual([{ orderId: 'A-1', amount: 20 }]);
      expect((await h.producer.approvals.get(approval.approvalId))?.editedInput).toEqual({ orderId: 'A-1', amount: 20 });
      const decided = (await h.producer.events(sessionId)).find((e) => e.type === 'approval_decided');
      expect(decided?.data).toMatchObject({ decision: 'approved', by: 'dana', edited: true, editedInput: { orderId: 'A-1', amount: 20 } });
      // the model is told its call was edited
      const sent = JSON.stringify((h.mock.requests().at(-1)?.body as Sent).messages.at(-1));
      expect(sent).toContain('edited by dana before approval');
    } finally {
      await d?.close();
      await h.close();
    }
  });
});
