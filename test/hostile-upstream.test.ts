import { BudgetLedger, DEFAULT_MODEL, defineAgent, defineTool, type HistoryEntry, priceFor, type Redis, stepJobId, utcDay } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { z } from 'zod';
import { type FakeReply, type FakeRequest, message, startFakeUpstream, text, toolUse } from './support/fake-upstream.js';
import { describe, expect, test } from './support/fixtures.js';
import { startHarness } from './support/harness.js';

function countingAgent(runs: { echo: number }) {
  const echo = defineTool({
    name: 'echo',
    description: 'Echo a value back',
    input: z.object({ value: z.string() }),
    risk: 'low',
    idempotent: false,
    run: async ({ value }) => {
      runs.echo += 1;
      return `echo:${value}`;
    },
  });
  return defineAgent({ name: 'hostile', system: 'You are a test agent.', tools: [echo] });
}

/** Answers by the case marker `[case:<name>]` in the task and the number of that case's requests so far. */
function byCase(cases: Record<string, (req: FakeRequest, nth: number) => FakeReply>) {
  const seen = new Map<string, number>();
  return (req: FakeRequest): FakeReply => {
    const name = /\[case:([\w-]+)\]/.exec(req.task)?.[1] ?? '';
    const nth = seen.get(name) ?? 0;
    seen.set(name, nth + 1);
    const answer = cases[name];
    return answer ? answer(req, nth) : { body: message([text('unscripted')]) };
  };
}

const ok = (req: FakeRequest, content: unknown[], overrides: Record<string, unknown> = {}): FakeReply => ({
  body: message(content, { model: req.body.model, ...overrides }),
});

async function run(
  fixture: { redisUrl: string; queueName: string; prefix: string },
  cases: Record<string, (req: FakeRequest, nth: number) => FakeReply>,
  options: { tenant?: string } = {},
) {
  const fake = await startFakeUpstream(byCase(cases));
  const runs = { echo: 0 };
  const h = await startHarness({ ...fixture, agents: [countingAgent(runs)], workers: 0 });
  try {
    await h.startWorker({ model: { apiKey: 'test-key', baseURL: fake.url } });
    const names = Object.keys(cases);
    const started = await h.producer.startBatch(
      names.map((name) => ({ agent: 'hostile', input: `Do it. [case:${name}]`, ...(options.tenant ? { tenant: options.tenant } : {}) })),
    );
    const results = await h.producer.waitAll(
      started.map((s) => s.sessionId),
      { timeoutMs: 20_000 },
    );
    const byName = new Map(names.map((name, i) => [name, { result: results[i]!, sessionId: started[i]!.sessionId }]));
    const requestsOf = (name: string) => fake.requests.filter((r) => r.task.includes(`[case:${name}]`));
    return { h, fake, runs, byName, requestsOf, close: async () => Promise.all([h.close(), fake.close()]) };
  } catch (error) {
    await Promise.all([h.close(), fake.close()]);
    throw error;
  }
}

async function history(redis: Redis, prefix: string, sessionId: string): Promise<HistoryEntry[]> {
  return (await redis.lrange(new Keys(prefix).history(sessionId), 0, -1)).map((line) => JSON.parse(line) as HistoryEntry);
}

describe('malformed responses (issue: a 200 with {} crashed as internal, paid 5 more calls, held a tenant reservation)', () => {
  test('a 200 that is not a Message fails the session at once with model_malformed_response and holds no reservation', async ({
    redisUrl,
    queueName,
    prefix,
    redis,
  }) => {
    const r = await run(
      { redisUrl, queueName, prefix },
      {
        empty: () => ({ body: {} }),
        html: () => ({ body: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }),
        badjson: () => ({ body: '{"id": "msg_1", "content": [' }),
        errorbody: () => ({ body: { type: 'error', error: { type: 'api_error', message: 'boom' } } }),
        nousage: (req) => ok(req, [text('hi')], { usage: undefined }),
        wrongtypes: (req) => ok(req, [text('hi')], { content: 'hi' }),
        badusage: (req) => ok(req, [text('hi')], { usage: { input_tokens: 'many', output_tokens: 5 } }),
        nulltool: (req) => ok(req, [{ type: 'tool_use', id: 'toolu_1', name: 'echo', input: null }], { stop_reason: 'tool_use' }),
      },
      { tenant: 'acme' },
    );
    try {
      const keys = new Keys(prefix);
      const [held, usage] = await Promise.all([redis.zcard(keys.tenantReservations('acme', utcDay())), redis.hgetall(keys.tenantUsage('acme', utcDay()))]);
      const rows = [...r.byName].map(([name, { result }]) => [name, result.status, result.error?.code, r.requestsOf(name).length]);
      console.log(`reservations held ${held}, reservedTokens ${usage.reservedTokens ?? 0}, tool runs ${r.runs.echo}; ${JSON.stringify(rows)}`);
      for (const [name, status, code, requests] of rows) expect([name, status, code, requests]).toEqual([name, 'failed', 'model_malformed_response', 1]);
      expect(held).toBe(0);
      expect(Number(usage.reservedTokens ?? 0)).toBe(0);
      expect(r.runs.echo).toBe(0);
    } finally {
      await r.close();
    }
  });
});

describe('usage that lies (issue: negative usage drove a session to -$30 and a tenant to -6,000,000 tokens)', () => {
  test('negative and absurd usage is clamped and flagged with a usage_clamped event', async ({ redisUrl, queueName, prefix, redis }) => {
    const r = await run(
      { redisUrl, queueName, prefix },
      {
        negative: (req) =>
          ok(req, [text('done')], { usage: { input_tokens: -6_000_000, output_tokens: -5, cache_read_input_tokens: -1, cache_creation_input_tokens: 0 } }),
        absurd: (req) => ok(req, [text('done')], { usage: { input_tokens: 1e15, output_tokens: 1e12 } }),
      },
      { tenant: 'acme' },
    );
    try {
      const usage = await redis.hgetall(new Keys(prefix).tenantUsage('acme', utcDay()));
      for (const name of ['negative', 'absurd']) {
        const { result, sessionId } = r.byName.get(name)!;
        const clamped = (await r.h.producer.events(sessionId)).filter((e) => e.type === 'usage_clamped');
        console.log(`${name}: ${result.status} usage ${JSON.stringify(result.usage)}, usage_clamped events ${clamped.length}`);
        expect(result.status).toBe('completed');
        expect(clamped).toHaveLength(1);
        expect(result.usage.inputTokens).toBeGreaterThanOrEqual(0);
        expect(result.usage.outputTokens).toBeGreaterThanOrEqual(0);
        expect(result.usage.costUsd).toBeGreaterThanOrEqual(0);
      }
      expect(r.byName.get('negative')!.result.usage.inputTokens).toBe(0);
      // The output can never exceed what was asked for; the input never exceeds any context window.
      expect(r.byName.get('absurd')!.result.usage.outputTokens).toBeLessThanOrEqual(r.requestsOf('absurd')[0]!.body.max_tokens!);
      expect(r.byName.get('absurd')!.result.usage.inputTokens).toBeLessThanOrEqual(2_000_000);
      expect(Number(usage.tokens)).toBeGreaterThanOrEqual(0);
      expect(Number(usage.costMicroUsd)).toBeGreaterThanOrEqual(0);
    } finally {
      await r.close();
    }
  });
});

describe('truncated and empty turns (issue: an empty max_tokens turn was committed, a cut tool_use was executed)', () => {
  test('a tool_use cut at max_tokens never runs, empty content is never committed, each case has a defined end', async ({
    redisUrl,
    queueName,
    prefix,
    redis,
  }) => {
    const r = await run(
      { redisUrl, queueName, prefix },
      {
        // Text then a cut tool call: the text is kept, the call dropped, the model asked to continue.
        'cut-tool': (req, nth) =>
          nth === 0
            ? ok(req, [text('Let me look.'), toolUse('toolu_cut1', 'echo', { value: 'trunc' })], { stop_reason: 'max_tokens' })
            : ok(req, [text('done')]),
        // Only a cut tool call: nothing usable is left.
        'cut-only-tool': (req) => ok(req, [toolUse('toolu_cut2', 'echo', { value: 'tr' })], { stop_reason: 'max_tokens' }),
        'cut-empty': (req) => ok(req, [], { stop_reason: 'max_tokens' }),
        'pause-empty': (req) => ok(req, [], { stop_reason: 'pause_turn' }),
        'end-empty': (req) => ok(req, [], { stop_reason: 'end_turn' }),
      },
    );
    try {
      const rows: Record<string, unknown> = {};
      for (const [name, { result, sessionId }] of r.byName) {
        const entries = await history(redis, prefix, sessionId);
        const empty = entries.filter((e) => e.message.role === 'assistant' && Array.isArray(e.message.content) && e.message.content.length === 0);
        const toolUses = entries
          .flatMap((e) => (Array.isArray(e.message.content) ? (e.message.content as Array<{ type: string }>) : []))
          .filter((b) => b.type === 'tool_use');
        rows[name] = { status: result.status, code: result.error?.code ?? null, emptyCommitted: empty.length, toolUsesCommitted: toolUses.length };
      }
      console.log(`tool runs ${r.runs.echo}; ${JSON.stringify(rows)}`);
      expect(r.runs.echo).toBe(0);
      expect(rows).toEqual({
        'cut-tool': { status: 'completed', code: null, emptyCommitted: 0, toolUsesCommitted: 0 },
        'cut-only-tool': { status: 'failed', code: 'model_max_tokens', emptyCommitted: 0, toolUsesCommitted: 0 },
        'cut-empty': { status: 'failed', code: 'model_max_tokens', emptyCommitted: 0, toolUsesCommitted: 0 },
        'pause-empty': { status: 'failed', code: 'model_empty_turn', emptyCommitted: 0, toolUsesCommitted: 0 },
        'end-empty': { status: 'completed', code: null, emptyCommitted: 0, toolUsesCommitted: 0 },
      });
      // The continuation request carries the kept text and no cut tool call.
      const second = r.requestsOf('cut-tool')[1]!.body.messages!;
      expect(JSON.stringify(second)).not.toContain('toolu_cut1');
      expect(JSON.stringify(second)).toContain('Let me look.');
    } finally {
      await r.close();
    }
  });
});

describe("duplicate tool_use ids (issue: the second call silently got the first call's result)", () => {
  test('a turn with two tool_use blocks of one id is rejected with model_duplicate_tool_use and runs nothing', async ({ redisUrl, queueName, prefix }) => {
    const r = await run(
      { redisUrl, queueName, prefix },
      {
        dup: (req) => ok(req, [toolUse('toolu_same', 'echo', { value: 'a' }), toolUse('toolu_same', 'echo', { value: 'b' })], { stop_reason: 'tool_use' }),
      },
    );
    try {
      const { result } = r.byName.get('dup')!;
      console.log(`dup: ${result.status} ${result.error?.code}, tool runs ${r.runs.echo}, requests ${r.requestsOf('dup').length}`);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_duplicate_tool_use');
      expect(r.runs.echo).toBe(0);
      expect(r.requestsOf('dup')).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});

describe('a settle that belongs to a checkpoint (issue: a kill between the model checkpoint and the tenant settle skipped the settle)', () => {
  test('a retried step that ends before its model turn still settles the tenant reservation of the checkpointed call', async ({
    redisUrl,
    queueName,
    prefix,
    redis,
  }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [countingAgent({ echo: 0 })], workers: 0 });
    try {
      // The state a worker killed right after saveModelTurn leaves: response checkpointed and counted on the
      // session, the tenant's reservation still open. The session's token budget is now spent, so the retried
      // step ends at its budget check and never reaches the model turn that used to settle.
      const { sessionId } = await h.producer.start({ agent: 'hostile', input: 'Go.', tenant: 'acme', limits: { maxTokens: 50 } });
      const keys = new Keys(prefix);
      const day = utcDay();
      const ledger = new BudgetLedger(redis, keys);
      const reserved = await ledger.reserveTenant('acme', day, `${sessionId}:0:model`, {
        model: DEFAULT_MODEL,
        price: priceFor(DEFAULT_MODEL),
        inputTokens: 100,
        maxTokens: 1000,
      });
      expect(reserved.ok).toBe(true);
      await redis
        .multi()
        .hset(
          keys.checkpoint(sessionId, 0),
          'model',
          JSON.stringify(message([text('hi')], { model: DEFAULT_MODEL, usage: { input_tokens: 100, output_tokens: 5 } })),
          'usage:model',
          '1',
          'budget:day',
          day,
        )
        .hincrby(keys.session(sessionId), 'inputTokens', 100)
        .hincrby(keys.session(sessionId), 'outputTokens', 5)
        .exec();
      // The killed worker had started the step's job once: its re-run is not a first attempt (a first attempt
      // skips the checkpoint read, since nothing writes a step's checkpoint before its job first runs).
      await redis.hset(h.producer.queue.toKey(stepJobId(sessionId, 0)), 'ats', '1');
      await h.startWorker();
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const [open, usage] = await Promise.all([redis.zcard(keys.tenantReservations('acme', day)), redis.hgetall(keys.tenantUsage('acme', day))]);
      console.log(
        `${result.status} ${result.error?.code}; reservations open ${open}, tenant tokens ${usage.tokens ?? 0}, reserved ${usage.reservedTokens ?? 0}`,
      );
      expect(result.status).toBe('budget_exceeded');
      expect(open).toBe(0);
      expect(Number(usage.reservedTokens ?? 0)).toBe(0);
      expect(Number(usage.tokens ?? 0)).toBe(105);
    } finally {
      await h.close();
    }
  });
});
