import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import type { SchedulingMode, Session } from '@agentq/shared';
import { benchRedis } from '../bench-redis.js';
import { spawnBenchWorker, stopBenchWorkers } from '../bench-worker.js';

/**
 * `pnpm bench fairness`: two tenants on one fleet (real `agentq-worker` processes, mock-anthropic).
 *
 * Scenario 1, a backlog: 1 worker x 10, mock at 50 ms. Tenant A enqueues FAIRNESS_A_SESSIONS (2,000) two-step
 * sessions, then tenant B one. Reported: B's completion time against B alone on an idle fleet, and A's
 * throughput against A alone (with the same scheduling), in the same run; for both scheduling candidates
 * measured (`fair`: priorities from each tenant's backlog; `fifo`: arrival order, the behaviour before tenants).
 * Targets (fair): B <= 3 x its idle time + 1 s; A >= 0.9 x alone.
 *
 * Scenario 2, a rate-limit share: mock RPM 600, AGENTQ_TENANT_SHARE=0.5, A FAIRNESS_SHARE_A (200) two-step
 * sessions then B FAIRNESS_SHARE_B (10). Reported: B's sessions' completion time against B alone, and the
 * queue-wide pauses caused by a tenant's share. Targets: B <= 2 x alone; pauses = 0.
 *
 * Times come from the session records (created → last update), never from polling.
 */
export async function fairness(): Promise<Record<string, unknown>> {
  const num = (name: string, fallback: number) => {
    const raw = process.env[`FAIRNESS_${name}`];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!(Number.isInteger(value) && value > 0)) throw new Error(`FAIRNESS_${name} must be a positive whole number (got ${raw})`);
    return value;
  };
  const backlog = { aSessions: num('A_SESSIONS', 2000), bSessions: 1, stepsPerSession: 2, concurrency: 10, latencyMs: 50 };
  const share = { aSessions: num('SHARE_A', 200), bSessions: num('SHARE_B', 10), stepsPerSession: 2, concurrency: 10, latencyMs: 50, rpm: 600, tenantShare: 0.5 };
  const redis = await benchRedis();
  try {
    const log = (what: string) => process.stderr.write(`fairness: ${what}…\n`);
    log('scenario 1, B alone on an idle fleet');
    const bIdle = await run(redis.url, backlog, 'fair', { b: backlog.bSessions });
    // Each candidate's "A alone" run comes right before its "A then B" run, so the pair sees the same machine.
    log(`scenario 1, fair: A alone (${backlog.aSessions} sessions)`);
    const aAlone = await run(redis.url, backlog, 'fair', { a: backlog.aSessions });
    log('scenario 1, fair: A then B');
    const fair = await run(redis.url, backlog, 'fair', { a: backlog.aSessions, b: backlog.bSessions });
    log(`scenario 1, fifo (the baseline candidate): A alone (${backlog.aSessions} sessions)`);
    const aAloneFifo = await run(redis.url, backlog, 'fifo', { a: backlog.aSessions });
    log('scenario 1, fifo: A then B');
    const fifo = await run(redis.url, backlog, 'fifo', { a: backlog.aSessions, b: backlog.bSessions });
    log('scenario 2, B alone under the rate limit');
    const shareBAlone = await run(redis.url, share, 'fair', { b: share.bSessions }, share);
    log(`scenario 2, A (${share.aSessions}) then B (${share.bSessions}), tenant share ${share.tenantShare}`);
    const shareMixed = await run(redis.url, share, 'fair', { a: share.aSessions, b: share.bSessions }, share);

    const bIdleS = bIdle.b?.lastDoneS ?? Number.NaN;
    const aAloneRate = aAlone.a?.sessionsPerS ?? Number.NaN;
    const load = () => round(loadavg()[0] ?? 0, 1);
    const candidate = (r: RunResult, alone: RunResult) => ({
      bCompletionS: r.b?.lastDoneS ?? null,
      aSessionsPerS: r.a?.sessionsPerS ?? null,
      aAloneSessionsPerS: alone.a?.sessionsPerS ?? null,
      aDoneWhenBDone: r.aDoneWhenBDone,
      bVsIdle: r.b ? round(r.b.lastDoneS / bIdleS, 2) : null,
      aVsAlone: r.a && alone.a ? round(r.a.sessionsPerS / alone.a.sessionsPerS, 3) : null,
    });
    const shareBAloneS = shareBAlone.b?.lastDoneS ?? Number.NaN;
    const shareBMixedS = shareMixed.b?.lastDoneS ?? Number.NaN;
    const results = {
      scenario1: {
        config: backlog,
        /** 1-minute load average when the scenario ended (the machine may be shared). */
        loadAverage: load(),
        bIdleS,
        fair: candidate(fair, aAlone),
        fifo: candidate(fifo, aAloneFifo),
      },
      scenario2: {
        config: share,
        loadAverage: load(),
        cpus: cpus().length,
        bAloneS: shareBAloneS,
        bWithAS: shareBMixedS,
        bVsAlone: round(shareBMixedS / shareBAloneS, 2),
        aCompletionS: shareMixed.a?.lastDoneS ?? null,
        queueWidePausesForTenantShare: shareMixed.tenantSharePauses,
        queueWidePausesOther: shareMixed.otherPauses,
        tenantDeferrals: shareMixed.deferrals,
        answered429: shareMixed.answered429,
      },
    };
    const bTarget = 3 * bIdleS + 1;
    return {
      ...results,
      targets: { scenario1: { bCompletionS: `<= 3 x bIdleS + 1 = ${round(bTarget, 2)}`, aVsAlone: '>= 0.9' }, scenario2: { bVsAlone: '<= 2', queueWidePausesForTenantShare: '0' } },
      met: {
        scenario1: { bCompletion: (fair.b?.lastDoneS ?? Infinity) <= bTarget, aThroughput: (fair.a?.sessionsPerS ?? 0) >= 0.9 * aAloneRate },
        scenario2: { bVsAlone: shareBMixedS <= 2 * shareBAloneS, noTenantPauses: shareMixed.tenantSharePauses === 0 },
      },
    };
  } finally {
    await redis.stop();
  }
}

interface Sizes {
  stepsPerSession: number;
  concurrency: number;
  latencyMs: number;
}

interface TenantResult {
  sessions: number;
  completed: number;
  /** Seconds from the tenant's first enqueue to its last session's completion. */
  lastDoneS: number;
  sessionsPerS: number;
}

interface RunResult {
  a?: TenantResult;
  b?: TenantResult;
  /** A's sessions completed when B's last one did. */
  aDoneWhenBDone: number | null;
  tenantSharePauses: number;
  otherPauses: number;
  deferrals: number;
  answered429: number;
}

function sessionInput(tenant: string, i: number, steps: number) {
  const script = [...Array.from({ length: steps - 1 }, (_, n) => ({ tool: 'note', input: { n } })), { text: `${tenant} ${i} done` }];
  return { agent: 'bench', tenant, input: `Tenant ${tenant} session ${i}.\n\n${JSON.stringify({ script })}` };
}

/** One fleet on a fresh queue: tenant A's sessions are enqueued first, then B's; both run to the end. */
async function run(
  redisUrl: string,
  sizes: Sizes,
  scheduling: SchedulingMode,
  counts: { a?: number; b?: number },
  limits?: { rpm: number; tenantShare: number },
): Promise<RunResult> {
  const mock = await startMockAnthropic({ latencyMs: sizes.latencyMs, maxRecorded: 100_000, ...(limits ? { rpm: limits.rpm } : {}) });
  const queueName = `bench-fair-${randomUUID().slice(0, 8)}`;
  const prefix = `bf${randomUUID().slice(0, 6)}`;
  const agentsModule = fileURLToPath(new URL('./governor-agents.js', import.meta.url));
  const children: ChildProcess[] = [];
  const producer = new AgentProducer({ connection: redisUrl, queueName, prefix, scheduling });
  try {
    children.push(
      await spawnBenchWorker(agentsModule, sizes.concurrency, {
        REDIS_URL: redisUrl,
        AGENTQ_QUEUE: queueName,
        AGENTQ_PREFIX: prefix,
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: 'bench-key',
        AGENTQ_SCHEDULING: scheduling,
        ...(limits ? { AGENTQ_RPM_LIMIT: String(limits.rpm), AGENTQ_TENANT_SHARE: String(limits.tenantShare) } : {}),
      }),
    );
    const start = Date.now();
    const a = counts.a ? (await producer.startBatch(Array.from({ length: counts.a }, (_, i) => sessionInput('a', i, sizes.stepsPerSession)))).map((s) => s.sessionId) : [];
    const b = counts.b ? (await producer.startBatch(Array.from({ length: counts.b }, (_, i) => sessionInput('b', i, sizes.stepsPerSession)))).map((s) => s.sessionId) : [];
    await producer.waitAll([...a, ...b], { timeoutMs: 30 * 60_000 });
    const sessionsA = await records(producer, a);
    const sessionsB = await records(producer, b);
    const bDoneAt = sessionsB.length > 0 ? Math.max(...sessionsB.map((s) => s.updatedAt)) : undefined;
    const events = await producer.stores.events.since(start, { types: ['rate_limit_pause', 'step_deferred'], count: 1_000_000 });
    const pauses = events.filter((e) => e.type === 'rate_limit_pause');
    return {
      ...(a.length > 0 ? { a: summarize(sessionsA) } : {}),
      ...(b.length > 0 ? { b: summarize(sessionsB) } : {}),
      aDoneWhenBDone: bDoneAt === undefined || a.length === 0 ? null : sessionsA.filter((s) => s.status === 'completed' && s.updatedAt <= bDoneAt).length,
      tenantSharePauses: pauses.filter((e) => String(e.data.reason).includes('tenant')).length,
      otherPauses: pauses.filter((e) => !String(e.data.reason).includes('tenant')).length,
      deferrals: events.filter((e) => e.type === 'step_deferred').length,
      answered429: mock.requests().filter((r) => r.status === 429).length,
    };
  } finally {
    await stopBenchWorkers(children);
    await producer.close();
    await mock.close();
  }
}

async function records(producer: AgentProducer, ids: string[]): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < ids.length; i += 1000) out.push(...(await producer.stores.sessions.getMany(ids.slice(i, i + 1000))).filter((s): s is Session => s !== undefined));
  return out;
}

function summarize(sessions: Session[]): TenantResult {
  const first = Math.min(...sessions.map((s) => s.createdAt));
  const last = Math.max(...sessions.map((s) => s.updatedAt));
  const seconds = (last - first) / 1000;
  return {
    sessions: sessions.length,
    completed: sessions.filter((s) => s.status === 'completed').length,
    lastDoneS: round(seconds, 3),
    sessionsPerS: round(sessions.length / Math.max(seconds, 0.001), 1),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
