import { createStores, defineAgent, defineTool, LoopDetector, type Redis, type Session } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const HOUR = 3_600_000;
const RETENTION_ENV = { AGENTQ_SESSION_TTL_MS: String(2 * HOUR), AGENTQ_RESULT_TTL_MS: String(48 * HOUR), AGENTQ_CHECKPOINT_TTL_MS: String(HOUR) };

/** Runs `fn` with the retention variables set, as an operator would set them for the worker and producer. */
async function withRetentionEnv<T>(fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(RETENTION_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, RETENTION_ENV);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function ttls(redis: Redis, pattern: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const key of await redis.keys(pattern)) out.set(key, await redis.pttl(key));
  return out;
}

const agent = defineAgent({
  name: 'keeper',
  system: 'You keep things.',
  tools: [defineTool({ name: 'put', description: 'Store a value', input: z.object({ v: z.number() }), risk: 'safe', run: async ({ v }) => `stored ${v}` })],
  limits: { memory: { windowTokens: 300 } },
});

describe('retention of finished sessions', () => {
  test('a completed session: data keys expire after the session TTL, the result after the result TTL, checkpoints sooner', async ({
    redisUrl,
    redis,
    queueName,
    prefix,
  }) => {
    await withRetentionEnv(async () => {
      const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
      try {
        const script = [...Array.from({ length: 8 }, (_, i) => ({ tool: 'put', input: { v: i } })), { text: 'kept' }];
        const { sessionId } = await h.producer.start({ agent: 'keeper', input: scripted('Store eight values.', script) });
        const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
        expect(result.status).toBe('completed');
        const base = `${prefix}:s:{${sessionId}}`;
        const all = await ttls(redis, `${base}*`);
        const byKind = (suffix: RegExp) => [...all].filter(([k]) => suffix.test(k.slice(base.length)));
        const record = all.get(base) ?? -1;
        expect(record).toBeGreaterThan(47 * HOUR);
        expect(record).toBeLessThanOrEqual(48 * HOUR);
        for (const suffix of [/^:history$/, /^:events$/, /^:memory$/]) {
          const [entry] = byKind(suffix);
          expect(entry, `key ${suffix}`).toBeDefined();
          expect(entry?.[1]).toBeGreaterThan(HOUR);
          expect(entry?.[1]).toBeLessThanOrEqual(2 * HOUR);
        }
        // Each commit deleted the checkpoint of the step before it: the last two steps' are left.
        const checkpoints = byKind(/^:ckpt:\d+$/);
        expect(checkpoints.map(([k]) => k.slice(base.length)).sort()).toEqual([':ckpt:7', ':ckpt:8']);
        const unbounded = [...all].filter(([, ttl]) => ttl < 0);
        console.log(`keys=${all.size} checkpoints=${checkpoints.length} without TTL=${unbounded.length}`);
        expect(unbounded).toEqual([]);
        for (const [, ttl] of checkpoints) expect(ttl).toBeLessThanOrEqual(HOUR);
      } finally {
        await h.close();
      }
    });
  });

  test('a running session keeps its data; a committed checkpoint gets the short TTL and goes with the next commit', async ({ redis, prefix }) => {
    await withRetentionEnv(async () => {
      const { keys, sessions: store } = createStores(redis, prefix);
      const session = newSession('running-1', 'running');
      await store.create(session, [{ step: 0, message: { role: 'user', content: 'go' } }]);
      await store.checkpoints.pinBudgetDay(session.sessionId, 0, '2026-01-01');
      expect(await store.commitStep(session.sessionId, 0, [{ step: 0, message: { role: 'assistant', content: 'ok' } }])).toBe(1);
      expect(await redis.pttl(keys.session(session.sessionId))).toBe(-1);
      expect(await redis.pttl(keys.history(session.sessionId))).toBe(-1);
      // The loop window too: it gets its expiry with the rest when the session ends, not on every check.
      await new LoopDetector(redis, keys).checkTurn(session.sessionId, [{ toolUseId: 't1', tool: 'echo', input: {} }], {
        window: 9,
        threshold: 3,
        strikes: 1,
      });
      expect(await redis.pttl(keys.loopState(session.sessionId))).toBe(-1);
      const ckpt = await redis.pttl(keys.checkpoint(session.sessionId, 0));
      expect(ckpt).toBeGreaterThan(0);
      expect(ckpt).toBeLessThanOrEqual(HOUR);
      // The next commit deletes it: the step after it was its last reader.
      await store.checkpoints.pinBudgetDay(session.sessionId, 1, '2026-01-01');
      expect(await store.commitStep(session.sessionId, 1, [{ step: 1, message: { role: 'assistant', content: 'ok' } }])).toBe(1);
      expect(await redis.exists(keys.checkpoint(session.sessionId, 0))).toBe(0);
      // Unless it holds events a dead worker left for its step's retry to copy: then it waits for its expiry.
      await redis.hset(keys.checkpoint(session.sessionId, 1), 'outbox:dead-1', '[]');
      expect(await store.commitStep(session.sessionId, 2, [{ step: 2, message: { role: 'assistant', content: 'ok' } }])).toBe(1);
      expect(await redis.hkeys(keys.checkpoint(session.sessionId, 1))).toContain('outbox:dead-1');
      expect(await redis.pttl(keys.checkpoint(session.sessionId, 1))).toBeLessThanOrEqual(HOUR);
    });
  });

  test("the producer's cancel of a parked session sets the TTLs", async ({ redisUrl, redis, queueName, prefix }) => {
    await withRetentionEnv(async () => {
      const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 0 });
      try {
        const keys = new Keys(prefix);
        const session = newSession('parked-1', 'awaiting_approval');
        await h.producer.stores.sessions.create(session, [{ step: 0, message: { role: 'user', content: 'wait for me' } }]);
        await redis.hset(keys.loopState(session.sessionId), 'w', 'x');
        expect(await redis.pttl(keys.history(session.sessionId))).toBe(-1);
        expect(await h.producer.cancel(session.sessionId)).toBe('cancelled');
        expect(await redis.pttl(keys.session(session.sessionId))).toBeGreaterThan(47 * HOUR);
        for (const key of [keys.history(session.sessionId), keys.loopState(session.sessionId)]) {
          const ttl = await redis.pttl(key);
          expect(ttl).toBeGreaterThan(HOUR);
          expect(ttl).toBeLessThanOrEqual(2 * HOUR);
        }
      } finally {
        await h.close();
      }
    });
  });
});

function newSession(id: string, status: Session['status']): Session {
  const now = Date.now();
  return {
    sessionId: id,
    agent: 'keeper',
    status,
    step: 0,
    input: 'x',
    metadata: {},
    limits: {},
    createdAt: now,
    updatedAt: now,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
  };
}
