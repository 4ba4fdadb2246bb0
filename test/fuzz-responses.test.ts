import { defineAgent, defineTool, isTerminal } from '@agentq/shared';
import fc from 'fast-check';
import { z } from 'zod';
import { type FakeReply, type FakeRequest, message, startFakeUpstream, text } from './support/fake-upstream.js';
import { describe, expect, test } from './support/fixtures.js';
import { formatEndState, fuzzEndState, watchUnhandledRejections } from './support/fuzz-invariants.js';
import { startHarness } from './support/harness.js';

const RUNS = Number(process.env.AGENTQ_FUZZ_RUNS ?? 1000);

const hostileString = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', ' ', '\uD800', '__proto__'));

const usage = fc.oneof(
  { weight: 4, arbitrary: fc.record({ input_tokens: fc.nat(5000), output_tokens: fc.nat(500) }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        input_tokens: fc.oneof(fc.integer(), fc.double(), fc.constant(-6_000_000), fc.constant(1e20)),
        output_tokens: fc.oneof(fc.integer(), fc.double(), fc.constant(-5)),
        cache_read_input_tokens: fc.oneof(fc.integer(), fc.constant(null)),
        cache_creation_input_tokens: fc.oneof(fc.integer(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const toolInput = fc.oneof(
  fc.record({ amount: fc.integer({ min: 1, max: 100 }), ref: fc.string({ maxLength: 8 }) }),
  fc.record({ q: hostileString }),
  fc.anything({ maxDepth: 2 }),
);

const block = fc.oneof(
  { weight: 3, arbitrary: hostileString.map((t) => ({ type: 'text', text: t })) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('tool_use'),
      // A small pool of ids, so duplicates in one turn happen.
      id: fc.constantFrom('toolu_a', 'toolu_b', 'toolu_c', 'toolu_d', ''),
      name: fc.constantFrom('charge', 'lookup', 'nope', ''),
      input: toolInput,
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('thinking'), thinking: hostileString, signature: fc.string({ maxLength: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('server_tool_use', 'image', 'x'), id: fc.string({ maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const stopReason = fc.constantFrom(
  'end_turn',
  'tool_use',
  'max_tokens',
  'pause_turn',
  'stop_sequence',
  'refusal',
  'model_context_window_exceeded',
  null,
  'brand_new_reason',
  42,
);

/** Well-formed blocks only: text, tool calls (valid input mostly), thinking. */
const wellFormedBlock = fc.oneof(
  hostileString.filter((t) => t.trim() !== '').map((t) => ({ type: 'text', text: t })),
  fc.record({
    type: fc.constant('tool_use'),
    id: fc.constantFrom('toolu_a', 'toolu_b', 'toolu_c', 'toolu_d'),
    name: fc.constantFrom('charge', 'lookup'),
    input: fc.oneof(fc.record({ amount: fc.integer({ min: 1, max: 100 }), ref: fc.string({ maxLength: 8 }) }), fc.record({ q: fc.string({ maxLength: 8 }) })),
  }),
);

const validMessage = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      content: fc.array(wellFormedBlock, { minLength: 1, maxLength: 3 }),
      stop_reason: fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'pause_turn'),
      usage: fc.record({ input_tokens: fc.nat(5000), output_tokens: fc.nat(500) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ content: fc.array(block, { maxLength: 4 }), stop_reason: stopReason, usage }) },
);

/** Headers a broken or hostile upstream sends with an answer. */
const headers = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Record<string, string>>({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        'content-type': fc.constantFrom('text/html', 'application/json; charset=latin1', 'text/event-stream', 'application/octet-stream'),
        'retry-after': fc.constantFrom('-5', '86400', 'soon', '1e20', ''),
        'anthropic-ratelimit-requests-remaining': fc.constantFrom('-5', 'NaN', '1e20', '0'),
        'anthropic-ratelimit-requests-limit': fc.constantFrom('0', '-1', 'x', '1e20'),
        'anthropic-ratelimit-requests-reset': fc.constantFrom('not a date', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z'),
        'anthropic-ratelimit-input-tokens-remaining': fc.constantFrom('-1', '0', 'x'),
        'request-id': fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      },
      { requiredKeys: [] },
    ),
  },
);

/** One generated upstream answer: valid, mutated, truncated, not JSON at all, or an error status. */
const reply = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('message' as const), msg: validMessage, headers }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      msg: validMessage,
      drop: fc.constantFrom('id', 'type', 'role', 'model', 'content', 'stop_reason', 'usage', 'none'),
      replace: fc.option(fc.tuple(fc.constantFrom('id', 'type', 'role', 'model', 'content', 'usage'), fc.anything({ maxDepth: 2 }))),
      headers,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncated' as const), msg: validMessage, at: fc.double({ min: 0, max: 1, noNaN: true }), headers }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      body: fc.oneof(
        fc.constant('<html>502</html>'),
        fc.constant(''),
        fc.string({ unit: 'binary' }),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      headers,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      // 429s pause the whole queue for their retry-after: kept short here so the suite stays fast.
      status: fc.constantFrom(400, 401, 403, 404, 413, 429, 500, 502, 529),
      body: fc.oneof(
        fc.constant({ type: 'error', error: { type: 'api_error', message: 'boom' } }),
        fc.anything({ maxDepth: 1 }),
        fc.constant('<html>oops</html>'),
      ),
      retryAfterMs: fc.integer({ min: 1, max: 30 }),
    }),
  },
);
type Reply = typeof reply extends fc.Arbitrary<infer R> ? R : never;

function toFake(req: FakeRequest, r: Reply): FakeReply {
  const base = (msg: { content: unknown[]; stop_reason: unknown; usage: unknown }) =>
    message(msg.content, { model: req.body.model, stop_reason: msg.stop_reason, usage: msg.usage });
  switch (r.kind) {
    case 'message':
      return { body: base(r.msg), headers: r.headers };
    case 'mutated': {
      const body = base(r.msg);
      if (r.drop !== 'none') delete body[r.drop];
      if (r.replace) body[r.replace[0]] = r.replace[1];
      return { body, headers: r.headers };
    }
    case 'truncated': {
      const json = JSON.stringify(base(r.msg));
      return { body: json.slice(0, Math.floor(json.length * r.at)), headers: r.headers };
    }
    case 'raw':
      return { body: r.body, headers: r.headers };
    case 'status':
      return { status: r.status, body: r.body, headers: { 'retry-after-ms': String(r.retryAfterMs) } };
    default:
      return { body: {} };
  }
}

describe('fuzz: generated Messages API responses through the real worker path', () => {
  test(`${RUNS} responses: every session ends terminal; no crash, no tool run twice, no key without TTL, no reservation held`, async ({
    redisUrl,
    queueName,
    prefix,
    redis,
  }) => {
    const rejections = watchUnhandledRejections();
    const runs = new Map<string, number>();
    const count = (ctx: { sessionId: string; toolUseId: string }) =>
      runs.set(`${ctx.sessionId}|${ctx.toolUseId}`, (runs.get(`${ctx.sessionId}|${ctx.toolUseId}`) ?? 0) + 1);
    const charge = defineTool({
      name: 'charge',
      description: 'Charge a card (not idempotent).',
      input: z.object({ amount: z.number(), ref: z.string() }),
      risk: 'low',
      idempotent: false,
      run: async ({ amount }, ctx) => {
        count(ctx);
        return { charged: amount };
      },
    });
    const lookup = defineTool({
      name: 'lookup',
      description: 'Look up.',
      input: z.object({ q: z.string() }),
      risk: 'safe',
      run: async ({ q }) => `found ${q}`,
    });
    const agent = defineAgent({ name: 'fuzz', system: 'You are a fuzz target.', tools: [charge, lookup] });

    const replies = fc.sample(reply, { numRuns: RUNS, seed: Number(process.env.AGENTQ_FUZZ_SEED ?? 7) });
    // The first request of case i gets the generated reply i; any later one (a retry, the next step) a plain answer.
    const seen = new Map<number, number>();
    const fake = await startFakeUpstream((req) => {
      const i = Number(/\[case:(\d+)\]/.exec(req.task)?.[1] ?? -1);
      const nth = seen.get(i) ?? 0;
      seen.set(i, nth + 1);
      const generated = replies[i];
      return nth === 0 && generated ? toFake(req, generated) : { body: message([text('done')], { model: req.body.model }) };
    });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 0 });
    try {
      await h.startWorker({ concurrency: 50, model: { apiKey: 'test-key', baseURL: fake.url }, step: { stepBackoffMs: 20, stepAttempts: 3 } });
      const started = await h.producer.startBatch(replies.map((_, i) => ({ agent: 'fuzz', input: `Go. [case:${i}]`, tenant: 'fz' })));
      const ids = started.map((s) => s.sessionId);
      const results = await h.producer.waitAll(ids, { timeoutMs: 45_000 }).catch(async (error: unknown) => {
        const sessions = await h.producer.stores.sessions.getMany(ids);
        const stuck = sessions.flatMap((s, i) =>
          s && !isTerminal(s.status) ? [`${i} ${s.status}@${s.step}: ${JSON.stringify(replies[i]).slice(0, 300)}`] : [],
        );
        throw new Error(`${String(error)}; stuck ${stuck.length}:\n${stuck.slice(0, 5).join('\n')}`);
      });
      const end = await fuzzEndState(redis, prefix, results);
      const ranTwice = [...runs.values()].filter((n) => n > 1).length;
      const internal = results.flatMap((r, i) =>
        r.error?.code === 'internal' ? [`${i}: ${r.error.message.slice(0, 200)} ← ${JSON.stringify(replies[i]).slice(0, 300)}`] : [],
      );
      console.log(
        `[fuzz-responses] responses=${RUNS} requests=${fake.requests.length} chargeRuns=${runs.size} ranTwice=${ranTwice} ${formatEndState(end, rejections.count())}\n${internal.slice(0, 5).join('\n')}`,
      );
      expect(end.notTerminal).toBe(0);
      expect(ranTwice).toBe(0);
      // A generated answer never crashes a step into the catch-all: each ends with the code that names it.
      expect(internal).toEqual([]);
      expect(end.keysWithoutTtl.slice(0, 5)).toEqual([]);
      expect(end.held).toEqual({ open: 0, reservedTokens: 0 });
      expect(rejections.count()).toBe(0);
    } finally {
      rejections.stop();
      await h.close();
      await fake.close();
    }
  }, 120_000);
});
