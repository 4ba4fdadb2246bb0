import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentEventType, defineAgent, defineTool, parseAgentEvent } from '@agentq/shared';
import { Alerter, alertForEvent, type SlackPayload } from '@agentq/worker';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

/** A webhook receiver that answers the given statuses in turn (then 200) and records every request. */
async function startReceiver(statuses: number[]) {
  const requests: Array<{ status: number; body: SlackPayload }> = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      requests.push({ status, body: JSON.parse(raw) as SlackPayload });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    delivered: () => requests.filter((r) => r.status === 200).map((r) => r.body),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

// Through the decoder, as an alerter sees events.
const event = (type: AgentEventType, data: Record<string, unknown>) =>
  parseAgentEvent({ sessionId: 'ses_x', step: 3, type, data, timestamp: Date.now(), agent: 'demo' });
const approval = (tool: string, approvalId: string) => ({
  approvalId,
  tool,
  toolUseId: 'toolu_1',
  risk: 'high',
  maxAutoRisk: 'low',
  input: {},
  requestedAt: 0,
  expiresAt: 1,
});

describe('webhook alerts', () => {
  test('a failed session alerts through a receiver that fails first (retried), then the failure rate alerts', async ({ redisUrl, queueName, prefix }) => {
    const receiver = await startReceiver([500]);
    const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => value });
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [defineAgent({ name: 'alerted', system: 'Alerted.', tools: [echo] })],
      mock: {
        failNext: [
          { status: 400, message: 'first bad request' },
          { status: 400, message: 'second bad request' },
        ],
      },
      worker: { alerts: { webhookUrl: receiver.url, backoffBaseMs: 20, failureRate: { threshold: 0.5, minSessions: 3, windowMs: 60_000 } } },
    });
    try {
      const firstFail = await h.producer.start({ agent: 'alerted', input: scripted('Fine.', [{ text: 'fine' }]) });
      expect((await h.producer.wait(firstFail.sessionId, { timeoutMs: 20_000 })).status).toBe('failed'); // takes the first 400
      const second = await h.producer.start({ agent: 'alerted', input: scripted('Fails.', [{ text: 'never' }]) });
      expect((await h.producer.wait(second.sessionId, { timeoutMs: 20_000 })).status).toBe('failed');
      const third = await h.producer.start({ agent: 'alerted', input: scripted('Fine.', [{ text: 'fine' }]) });
      expect((await h.producer.wait(third.sessionId, { timeoutMs: 20_000 })).status).toBe('completed');

      // 2 session_failed alerts + 1 failure_rate alert (2 of 3 finished sessions failed > 50%)
      // The receiver records a request before the sender sees its answer: wait for both sides.
      await until(() => receiver.delivered().length >= 3 && (h.workers[0]?.alerter?.sender.stats.sent ?? 0) >= 3);
      const delivered = receiver.delivered();
      const kinds = delivered.map((p) => p.agentq.kind);
      const counts = { requests: receiver.requests.length, refused: receiver.requests.filter((r) => r.status === 500).length, delivered: delivered.length };
      console.log('webhook', counts, kinds);
      expect(counts).toEqual({ requests: 4, refused: 1, delivered: 3 });
      expect(kinds).toEqual(['session_failed', 'session_failed', 'failure_rate']);
      // the refused payload was retried as-is
      expect(receiver.requests[0]?.body).toEqual(receiver.requests[1]?.body);
      const first = delivered[0] as SlackPayload;
      expect(first.text).toContain(firstFail.sessionId);
      expect(first.blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Agent session failed' } });
      expect(first.agentq.fields).toMatchObject({ session: firstFail.sessionId, agent: 'alerted' });
      expect(delivered[2]?.agentq.fields).toMatchObject({ failed: 2, finished: 3 });
      expect(h.workers[0]?.alerter?.sender.stats).toMatchObject({ sent: 3, failedAttempts: 1, dropped: 0 });
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  test('loops, budget stops and approval requests each map to one alert kind; a dead receiver costs bounded retries', async () => {
    expect(alertForEvent(event('session_failed', { status: 'loop_detected', error: { code: 'loop_detected', message: 'same call 3 times' } }))?.kind).toBe(
      'loop_detected',
    );
    expect(alertForEvent(event('session_failed', { status: 'budget_exceeded', error: { code: 'max_cost', message: 'over $1' } }))?.kind).toBe(
      'budget_exceeded',
    );
    expect(alertForEvent(event('approval_requested', approval('process_payment', 'ap1')))).toMatchObject({
      kind: 'approval_requested',
      fields: { tool: 'process_payment', approval: 'ap1' },
    });
    expect(alertForEvent(event('session_completed', { status: 'completed' }))).toBeUndefined();
    expect(alertForEvent(event('tool_result', { tool: 'x', isError: true }))).toBeUndefined();

    const receiver = await startReceiver([503, 503, 503, 503, 503, 503]);
    const alerter = new Alerter({ webhookUrl: receiver.url, maxAttempts: 3, backoffBaseMs: 10, failureRate: false });
    try {
      alerter.observe(event('approval_requested', approval('delete_record', 'ap2')));
      // observe() returned without waiting for the receiver: nothing can have reached it yet.
      expect(receiver.requests.length).toBe(0);
      await until(() => alerter.sender.stats.dropped === 1);
      expect(alerter.sender.stats).toMatchObject({ sent: 0, failedAttempts: 3, dropped: 1 });
      expect(receiver.requests.length).toBe(3);
    } finally {
      await alerter.close();
      await receiver.close();
    }
  });
});
