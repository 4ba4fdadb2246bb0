import { type AgentEvent, isEventOf, stepJobId } from '@agentq/shared';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyModelError, ModelClient } from '@agentq/worker';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, test } from './support/fixtures.js';
import { until } from './fixtures/crash-process.js';
import { freePort } from './support/redis-server.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

function errorsOf(events: AgentEvent[]) {
  return events.filter(isEventOf('model_error')).map((e) => e.data);
}

describe('model call failures are retried, paused or final by class', () => {
  test('529s and a 500 back off and recover, each retry using one attempt of its step', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()] });
    try {
      const script = [
        { error: { status: 529, times: 2 }, then: { tool: 'echo', input: { value: 'x' } } },
        { error: { status: 500, times: 1 }, then: { text: 'recovered' } },
      ];
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Overloaded.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const errors = errorsOf(await h.producer.events(sessionId));
      const queue = h.workers[0]!.queue;
      // The session ends inside step 1's job, just before BullMQ completes that job (and counts its attempt).
      await until('step 1 job completed', async () => (await queue.getJobState(stepJobId(sessionId, 1))) === 'completed' || undefined, 5_000, 20).catch(
        () => undefined,
      );
      const [s0, s1] = await Promise.all([queue.getJob(stepJobId(sessionId, 0)), queue.getJob(stepJobId(sessionId, 1))]);
      console.log(
        `errors ${errors.map((e) => e.status).join(',')}, attempts s0 ${s0?.attemptsMade} s1 ${s1?.attemptsMade}, requests ${h.mock.requests().length}`,
      );
      expect(result.status).toBe('completed');
      expect(result.output).toBe('recovered');
      expect(errors.map((e) => [e.status, e.reason])).toEqual([
        [529, 'model_overloaded'],
        [529, 'model_overloaded'],
        [500, 'model_server_error'],
      ]);
      // Two failed attempts + the one that completed; one failed + one completed.
      expect(s0?.attemptsMade).toBe(3);
      expect(s1?.attemptsMade).toBe(2);
      expect(h.mock.requests().map((r) => r.status)).toEqual([529, 529, 200, 500, 200]);
    } finally {
      await h.close();
    }
  });

  test('a step that stays overloaded fails the session after its bounded attempts with code model_overloaded', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()], worker: { step: { stepAttempts: 3, stepBackoffMs: 20 } } });
    try {
      const script = [
        { tool: 'echo', input: { value: 'x' } },
        { error: { status: 529, times: 10 }, then: { text: 'never' } },
      ];
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Always overloaded.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_overloaded');
      expect(result.error?.message).toContain('after 3 attempts');
      expect(h.mock.requests().map((r) => r.status)).toEqual([200, 529, 529, 529]);
    } finally {
      await h.close();
    }
  });

  test('400, 401, 403, 404 and 413 fail the session at once with the API message, one request each', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()] });
    const cases = [
      { status: 400, code: 'model_bad_request' },
      { status: 401, code: 'model_auth_error' },
      { status: 403, code: 'model_permission_error' },
      { status: 404, code: 'model_not_found' },
      { status: 413, code: 'model_request_too_large' },
    ];
    try {
      const started = await h.producer.startBatch(
        cases.map((c) => ({
          agent: 'rl',
          input: scripted(`Case ${c.status}.`, [
            { error: { status: c.status, message: `api says ${c.status}: fix the request`, times: 5 }, then: { text: 'no' } },
          ]),
        })),
      );
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 20_000 },
      );
      expect(results.map((r) => [r.status, r.error?.code])).toEqual(cases.map((c) => ['failed', c.code]));
      results.forEach((r, i) => expect(r.error?.message).toContain(`api says ${cases[i]!.status}: fix the request`));
      // No retries: exactly one request per session.
      expect(h.mock.requests()).toHaveLength(cases.length);
    } finally {
      await h.close();
    }
  });

  test('a hung model call times out (AGENTQ_MODEL_TIMEOUT_MS) and, after its attempts, fails with model_timeout', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()], workers: 0, mock: { latencyMs: 5000 } });
    try {
      await h.startWorker({ model: { apiKey: 'test-key', baseURL: h.mock.url, timeoutMs: 200 } });
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Hang.', [{ text: 'too late' }]) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 30_000 });
      const errors = errorsOf(await h.producer.events(sessionId));
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_timeout');
      expect(result.error?.message).toContain('after 5 attempts');
      expect(errors).toHaveLength(5);
      expect(errors.every((e) => e.reason === 'model_timeout' && e.status === null)).toBe(true);
    } finally {
      await h.close();
    }
  });

  test('a response whose body never ends is cut at the deadline; an outer abort stops a call at once', async () => {
    // Headers, then part of a body and nothing more: the SDK's own timeout stops at the headers.
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_stall' });
      res.write('{"id":"msg_stall","type":"message",');
      req.on('close', () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new ModelClient({ apiKey: 'test-key', baseURL: `http://127.0.0.1:${port}`, timeoutMs: 200 });
    const params = { model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };
    try {
      const started = Date.now();
      const stalled = await client.create(params).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(classifyModelError(stalled).code).toBe('model_timeout');
      const outer = new AbortController();
      const call = client.create(params, outer.signal).then(
        () => undefined,
        (error: unknown) => error,
      );
      setTimeout(() => outer.abort(), 50);
      expect(classifyModelError(await call).code).toBe('model_timeout');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('network errors are retried and, when they persist, fail the session with model_network_error', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()], workers: 0 });
    try {
      // Nothing listens on this port: every call is a connection error.
      await h.startWorker({ model: { apiKey: 'test-key', baseURL: `http://127.0.0.1:${await freePort()}` } });
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Unreachable.', [{ text: 'x' }]) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_network_error');
      expect(errorsOf(await h.producer.events(sessionId))).toHaveLength(5);
    } finally {
      await h.close();
    }
  });

  test('classification follows status, error.type and error.details.error_code, not the class alone', () => {
    const apiError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
      Anthropic.APIError.generate(status, { type: 'error', error }, undefined, new Headers(headers));
    const cases: Array<[unknown, string, number | undefined]> = [
      [apiError(429, { type: 'rate_limit_error', message: 'slow down' }, { 'retry-after': '3' }), 'model_rate_limited', 3000],
      [apiError(429, { type: 'rate_limit_error', message: 'slow down' }, { 'retry-after-ms': '1500', 'retry-after': '2' }), 'model_rate_limited', 1500],
      [apiError(429, { type: 'rate_limit_error', message: 'limit', details: { error_code: 'enforced_spend_limit_reached' } }), 'model_spend_limit', undefined],
      [apiError(429, { type: 'rate_limit_error', message: 'ramp', details: { error_code: 'ramp_limit_exceeded' } }), 'model_rate_limited', undefined],
      [apiError(402, { type: 'billing_error', message: 'credit balance too low' }), 'model_spend_limit', undefined],
      // An overload that arrives mid-stream is a plain APIError with no status.
      [
        new Anthropic.APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'Overloaded', undefined),
        'model_overloaded',
        undefined,
      ],
      [apiError(529, { type: 'overloaded_error', message: 'Overloaded' }), 'model_overloaded', undefined],
      [apiError(503, { type: 'api_error', message: 'unavailable' }), 'model_server_error', undefined],
      [new Anthropic.APIConnectionTimeoutError(), 'model_timeout', undefined],
      [new Anthropic.APIConnectionError({ message: 'ECONNRESET' }), 'model_network_error', undefined],
    ];
    expect(cases.map(([error]) => [classifyModelError(error).code, classifyModelError(error).retryAfterMs])).toEqual(
      cases.map(([, code, wait]) => [code, wait]),
    );
  });
});
