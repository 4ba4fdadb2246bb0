import { randomUUID } from 'node:crypto';
import { AgentProducer } from '@agentq/producer';
import { type Approval, approvalIdFor, createRedis, createStores, type Session, stepJobId } from '@agentq/shared';
import { BreakerState } from '@agentq/worker';
import { benchRedis } from '../bench-redis.js';

/**
 * `pnpm bench approvals`: the cost of the approval path and of the circuit breaker, each as a ratio to a
 * baseline measured in the same run on the same Redis.
 * - decide: `producer.approvals.approve` of N parked sessions (Lua decide + resume, an event, the resume job),
 *   20 in flight, against a plain `queue.add` of N step jobs with the same concurrency (the least any resume costs).
 * - breaker: the guard's two scripts per tool call (check + record) against two PINGs.
 * Size from APPROVALS_BENCH_N (default 1000).
 */
export async function approvals(): Promise<Record<string, unknown>> {
  const n = Number(process.env.APPROVALS_BENCH_N || 1000);
  if (!(Number.isInteger(n) && n > 0)) throw new Error('APPROVALS_BENCH_N must be a positive integer');
  const redisServer = await benchRedis();
  const redis = createRedis(redisServer.url);
  const prefix = `bench${randomUUID().slice(0, 6)}`;
  const queueName = `bench-approvals-${randomUUID()}`;
  const stores = createStores(redis, prefix);
  const producer = new AgentProducer({ connection: redisServer.url, queueName, prefix });
  try {
    // N sessions parked at step 0 on one high-risk call each.
    const now = Date.now();
    const sessions: Session[] = Array.from({ length: n }, (_, i) => ({
      sessionId: `ses_bench${i}`,
      agent: 'bench',
      status: 'running',
      step: 0,
      input: 'x',
      metadata: {},
      limits: {},
      createdAt: now,
      updatedAt: now,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    }));
    await stores.sessions.createMany(sessions);
    const ids = await inPool(sessions, 50, async (s) => {
      const approval: Approval = {
        approvalId: approvalIdFor(s.sessionId, 0, 'toolu_bench'),
        sessionId: s.sessionId,
        step: 0,
        toolUseId: 'toolu_bench',
        tool: 'delete_record',
        input: { id: s.sessionId },
        risk: 'high',
        reason: 'bench',
        agent: 'bench',
        status: 'pending',
        requestedAt: now,
        expiresAt: now + 3_600_000,
      };
      await stores.approvals.request(approval);
      await stores.approvals.park(s.sessionId, 0);
      return approval.approvalId;
    });

    const baselineStart = performance.now();
    await inPool(sessions, 20, (s) => producer.queue.add('step', { sessionId: s.sessionId, step: 0 }, { jobId: stepJobId(s.sessionId, 0, 'baseline') }));
    const enqueueMs = performance.now() - baselineStart;

    const decideStart = performance.now();
    const decisions = await inPool(ids, 20, (id) => producer.approvals.approve(id, { by: 'bench' }));
    const decideMs = performance.now() - decideStart;
    const resumed = decisions.filter((d) => d.resumed).length;
    const running = (await stores.sessions.getMany(sessions.map((s) => s.sessionId))).filter((s) => s?.status === 'running').length;

    const calls = Math.min(n, 2000);
    const breaker = new BreakerState(redis, stores.keys);
    const pingStart = performance.now();
    for (let i = 0; i < calls; i++) {
      await redis.ping();
      await redis.ping();
    }
    const pingMs = performance.now() - pingStart;
    const breakerStart = performance.now();
    for (let i = 0; i < calls; i++) {
      await breaker.check('bench_tool', { now: Date.now(), cooldownMs: 30_000, trialLeaseMs: 10_000 });
      await breaker.record('bench_tool', { now: Date.now(), failed: false, openAfter: 5, windowMs: 60_000, callId: `m${i}` });
    }
    const breakerMs = performance.now() - breakerStart;

    return {
      sessions: n,
      resumed,
      runningAfter: running,
      decide: {
        totalMs: round(decideMs),
        perSecond: round((n / decideMs) * 1000),
        baselineEnqueueMs: round(enqueueMs),
        ratioVsEnqueue: round(decideMs / enqueueMs),
      },
      breaker: { calls, perCallMs: round(breakerMs / calls, 3), baselineTwoPingsMs: round(pingMs / calls, 3), ratioVsTwoPings: round(breakerMs / pingMs) },
    };
  } finally {
    await producer.close();
    redis.disconnect();
    await redisServer.stop();
  }
}

async function inPool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
