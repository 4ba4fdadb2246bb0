import { Writable } from 'node:stream';
import { type AgentEvent, createLogger, defineAgent, defineTool, isEventOf } from '@agentq/shared';
import { z } from 'zod';
import { eventsUntil } from './support/events.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const SECRET = 'sk-ant-api03-SECRETSECRETSECRET';
const TOOL_SECRET = 'hunter2-tool-secret-value';

/** A logger writing JSON lines into memory, as pino writes them to stdout. */
function captureLogger(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ name: 'obs-test', level, destination }), lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function makeAgent(name = 'observed') {
  let flakyCalls = 0;
  const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => `echo:${value}` });
  const flaky = defineTool({
    name: 'flaky',
    description: 'Fails on its first attempt',
    input: z.object({ n: z.number() }),
    risk: 'safe',
    retries: 2,
    run: ({ n }) => {
      flakyCalls += 1;
      if (flakyCalls === 1) throw new Error('transient failure');
      return { n };
    },
  });
  const login = defineTool({
    name: 'login',
    description: 'Logs in',
    input: z.object({ user: z.string(), password: z.string(), apiToken: z.string() }),
    risk: 'safe',
    sensitive: ['password', 'apiToken'],
    run: ({ user }, ctx) => {
      // a careless tool logging its own secret-named fields must still not leak them
      ctx.logger.info({ apiKey: SECRET, headers: { authorization: `Bearer ${TOOL_SECRET}` } }, `logged in ${user} with ${SECRET}`);
      return `welcome ${user}`;
    },
  });
  return defineAgent({ name, system: 'Observability test agent.', tools: [echo, flaky, login] });
}

describe('events: every step-level event type, tagged and counted', () => {
  test('a scripted session emits started/step/model/tool/completed events with exact counts and redacted inputs', async ({ redisUrl, queueName, prefix }) => {
    const capture = captureLogger();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()], worker: { logger: capture.logger } });
    try {
      const script = [
        { tool: 'echo', input: { value: 'one' } },
        [
          { tool: 'flaky', input: { n: 7 } },
          { tool: 'echo', input: { value: 42 } },
        ],
        { tool: 'login', input: { user: 'ada', password: TOOL_SECRET, apiToken: SECRET } },
        { text: 'Done.' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'observed', input: scripted('Observe me.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(result.steps).toBe(4);

      const events = await eventsUntil(h, sessionId, 'session_completed');
      const count = (type: AgentEvent['type']) => events.filter((e) => e.type === type).length;
      const counts = {
        session_started: count('session_started'),
        step_started: count('step_started'),
        model_call: count('model_call'),
        tool_call: count('tool_call'),
        tool_result: count('tool_result'),
        session_completed: count('session_completed'),
      };
      console.log('event counts', counts);
      // 4 steps; 4 tool_use blocks answered, 3 of them run (the invalid echo input is answered without running)
      expect(counts).toEqual({ session_started: 1, step_started: 4, model_call: 4, tool_call: 3, tool_result: 4, session_completed: 1 });
      // the same events are in the global stream
      const global = (await h.producer.stores.events.since(0)).filter((e) => e.sessionId === sessionId);
      expect(global.length).toBe(events.length);

      for (const event of events) {
        expect(event.agent).toBe('observed');
        expect(event.jobId).toMatch(new RegExp(`^${sessionId}-s${event.step}`));
        expect(event.workerId).toBe(h.workers[0]?.id);
      }
      const model = events.find((e) => e.type === 'model_call');
      expect(model?.data).toMatchObject({
        model: expect.any(String),
        latencyMs: expect.any(Number),
        stopReason: 'tool_use',
        usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number), costUsd: expect.any(Number) },
      });
      const flaky = events.find((e) => e.type === 'tool_result' && e.data.tool === 'flaky');
      expect(flaky?.data).toMatchObject({ isError: false, attempts: 2, ran: true, durationMs: expect.any(Number) });
      const invalid = events.find((e) => e.type === 'tool_result' && e.data.ran === false);
      expect(invalid?.data).toMatchObject({ tool: 'echo', isError: true, errorCode: 'tool_invalid_input', input: { value: 42 } });
      const done = events.find((e) => e.type === 'session_completed');
      expect(done?.data).toMatchObject({ status: 'completed', steps: 4, usage: result.usage });

      const login = events.filter(isEventOf('tool_call')).find((e) => e.data.tool === 'login');
      expect(login?.data.input).toEqual({ user: 'ada', password: '[redacted]', apiToken: '[redacted]' });
      const serialized = JSON.stringify(events);
      expect(serialized).not.toContain(SECRET);
      expect(serialized).not.toContain(TOOL_SECRET);

      // logs: every line of a step carries the step's identity; no secret reaches the output
      const lines = capture.parsed();
      const stepLines = lines.filter((l) => l.sessionId === sessionId);
      expect(stepLines.length).toBeGreaterThan(0);
      for (const line of stepLines) {
        expect(line).toMatchObject({ sessionId, step: expect.any(Number), jobId: expect.any(String), agent: 'observed' });
      }
      expect(stepLines.some((l) => l.msg === 'tool call' && (l.input as Record<string, unknown>)?.password === '[redacted]')).toBe(true);
      expect(stepLines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('logged in ada'))).toBe(true);
      const raw = capture.lines.join('\n');
      const leaks = [SECRET, TOOL_SECRET].filter((s) => raw.includes(s)).length;
      console.log('log lines', capture.lines.length, 'leaked secrets', leaks);
      expect(leaks).toBe(0);
    } finally {
      await h.close();
    }
  });

  test('a failing session emits session_failed with the error, and a stale duplicate emits step_stale', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [makeAgent()],
      mock: { failNext: [{ status: 400, message: 'bad request from the test' }] },
    });
    try {
      const { sessionId } = await h.producer.start({ agent: 'observed', input: scripted('Fail.', [{ text: 'never' }]) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('failed');
      // The status is written before the closing event: wait for the event so the duplicate comes after it.
      await eventsUntil(h, sessionId, 'session_failed');
      await h.producer.queue.add('step', { sessionId, step: 0 }, { jobId: `${sessionId}-s0-dup` });
      const events = await eventsUntil(h, sessionId, 'step_stale');
      const types = events.map((e) => e.type);
      expect(types).toEqual(['session_started', 'step_started', 'model_error', 'session_failed', 'step_stale']);
      expect(events[2]?.data).toMatchObject({ status: 400, code: expect.any(String) });
      expect(events[3]?.data).toMatchObject({ status: 'failed', error: { code: result.error?.code }, steps: 0 });
      expect(events[4]?.data).toMatchObject({ reason: 'failed' });
    } finally {
      await h.close();
    }
  });
});

describe('log redaction', () => {
  test('keys, auth headers, nested secrets, errors and message text are redacted', () => {
    const capture = captureLogger('info');
    const err = Object.assign(new Error(`401 from API with key ${SECRET}`), { headers: { 'x-api-key': SECRET } });
    capture.logger.info(
      { apiKey: SECRET, config: { client: { headers: { 'X-Api-Key': SECRET, Authorization: `Bearer ${TOOL_SECRET}` } } }, err },
      `calling with ${SECRET}`,
    );
    capture.logger.child({ sessionId: 's1' }).warn({ list: [{ password: TOOL_SECRET }], note: `Authorization: Bearer ${TOOL_SECRET}` }, 'child line');
    capture.logger.info({ inputTokens: 12, tokenizer: 'kept' }, 'not secrets');
    const raw = capture.lines.join('\n');
    expect(capture.lines.length).toBe(3);
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(TOOL_SECRET);
    expect(raw.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(7);
    const [first, second, third] = capture.parsed();
    expect(first?.apiKey).toBe('[redacted]');
    expect(first?.msg).toBe('calling with [redacted]');
    expect(second).toMatchObject({ sessionId: 's1', list: [{ password: '[redacted]' }], note: 'Authorization: Bearer [redacted]' });
    expect(third).toMatchObject({ inputTokens: 12, tokenizer: 'kept' });
  });
});
