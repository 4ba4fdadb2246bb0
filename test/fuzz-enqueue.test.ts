import { AgentqError, defineAgent } from '@agentq/shared';
import fc from 'fast-check';
import { describe, expect, test } from './support/fixtures.js';
import { formatEndState, fuzzEndState, watchUnhandledRejections } from './support/fuzz-invariants.js';
import { startHarness } from './support/harness.js';

const RUNS = Number(process.env.AGENTQ_FUZZ_RUNS ?? 1000);

/** Strings a hostile caller sends: lone surrogates (bad UTF-16/UTF-8), control characters, prototype names. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '\uD800', 'a\uDFFFb', '\u0000', '{x}', '}{', ':', 'toString'),
  fc.integer({ min: 1, max: 6 }).map((mb) => 'x'.repeat(mb * 256 * 1024)),
);

/** A value nested `depth` levels deep, as arrays or objects. */
const deep = fc.tuple(fc.integer({ min: 10, max: 20_000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { k: value };
  return value;
});

/** Objects with prototype keys, as JSON.parse builds them (own `__proto__` properties). */
const prototypeKeys = fc.constantFrom(
  JSON.parse('{"__proto__": {"polluted": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  JSON.parse('{"__proto__": null, "a": 1}'),
);

const metadata = fc.oneof(
  fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
  prototypeKeys,
  deep.map((d) => ({ d })),
);

const limits = fc.oneof(
  fc.constant(undefined),
  fc.record({ maxSteps: fc.integer({ min: -2, max: 5 }) }, { requiredKeys: [] }),
  fc.record({ maxCostUsd: fc.double(), deadlineMs: fc.integer({ min: -10, max: 60_000 }) }, { requiredKeys: [] }),
  fc.anything(),
);

/** Enqueue payloads: well-formed ones, well-formed ones with hostile values, and anything at all. */
const payload = fc.oneof(
  { weight: 4, arbitrary: fc.record({ agent: fc.constant('fuzz'), input: hostileString }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        agent: fc.oneof(fc.constant('fuzz'), hostileString),
        input: hostileString,
        tenant: fc.oneof(fc.constant('fz'), hostileString),
        metadata,
        limits,
        sessionId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), hostileString),
      },
      { requiredKeys: ['agent', 'input'] },
    ),
  },
  { weight: 1, arbitrary: prototypeKeys },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, maxDepth: 4 }) },
);

describe('fuzz: generated enqueue payloads through the real producer and worker', () => {
  test(`${RUNS} payloads: each is refused with a typed error or ends terminal; no crash, no key without TTL, no reservation held`, async ({
    redisUrl,
    queueName,
    prefix,
    redis,
  }) => {
    const rejections = watchUnhandledRejections();
    const agent = defineAgent({ name: 'fuzz', system: 'You are a fuzz target.', tools: [] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], worker: { concurrency: 50, step: { stepBackoffMs: 20, stepAttempts: 2 } } });
    const started = new Set<string>();
    let accepted = 0;
    const refusals: Record<string, number> = {};
    let untyped = 0;
    try {
      await fc.assert(
        fc.asyncProperty(payload, async (input) => {
          try {
            const { sessionId } = await h.producer.start(input as never);
            started.add(sessionId);
            accepted += 1;
          } catch (error) {
            // Refused: the refusal must be one of agentq's typed errors, never a TypeError or a RangeError.
            if (!AgentqError.isInstance(error)) {
              untyped += 1;
              throw error;
            }
            refusals[error.code] = (refusals[error.code] ?? 0) + 1;
          }
        }),
        { numRuns: RUNS, seed: Number(process.env.AGENTQ_FUZZ_SEED ?? 12), endOnFailure: true },
      );
      const ids = [...started];
      const enqueuedAt = Date.now();
      const results = await h.producer.waitAll(ids, { timeoutMs: 45_000 });
      const statuses: Record<string, number> = {};
      for (const r of results)
        statuses[`${r.status}${r.error ? `:${r.error.code}` : ''}`] = (statuses[`${r.status}${r.error ? `:${r.error.code}` : ''}`] ?? 0) + 1;
      const drainedMs = Date.now() - enqueuedAt;
      const end = await fuzzEndState(redis, prefix, results);
      console.log(
        `[fuzz-enqueue] payloads=${RUNS} started=${ids.length} refused=${JSON.stringify(refusals)} untyped=${untyped} drainMs=${drainedMs} ${formatEndState(end, rejections.count())}`,
      );
      expect(untyped).toBe(0);
      expect(accepted + Object.values(refusals).reduce((a, b) => a + b, 0)).toBe(RUNS);
      expect(end.notTerminal).toBe(0);
      expect(end.keysWithoutTtl.slice(0, 5)).toEqual([]);
      expect(end.held).toEqual({ open: 0, reservedTokens: 0 });
      expect(rejections.count()).toBe(0);
    } finally {
      rejections.stop();
      await h.close();
    }
  }, 120_000);
});
