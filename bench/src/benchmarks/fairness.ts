import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { type SchedulingMode, type Session, stepJobId } from '@agentq/shared';
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
 * Times come from the session records (created → last update), never from polling. `FAIRNESS_SCENARIOS=2`
 * runs one scenario only (default `1,2`). Where B's time went is reported from B's own events: its steps'
 * governor waits by kind, and how long its steps queued (from the previous step's end, or the session's
 * creation, to the step's start).
 */
export async function fairness(): Promise<Record<string, unknown>> {
  const num = (name: string, fallback: number) => {
    const raw = process.env[`FAIRNESS_${name}`];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!(Number.isInteger(value) && value > 0)) throw new Error(`FAIRNESS_${name} must be a positive whole number (got ${raw})`);
    return value;
  };
  const backlog = { aSessions: num('A_SESSIONS', 2000), bSessions: 1, stepsPerSession: 2, concurrency: 10, latencyMs: 50 };
  const share = {
    aSessions: num('SHARE_A', 200),
    bSessions: num('SHARE_B', 10),
    stepsPerSession: 2,
    concurrency: 10,
    latencyMs: 50,
    rpm: 600,
    tenantShare: 0.5,
  };
  const scenarios = new Set((process.env.FAIRNESS_SCENARIOS ?? '1,2').split(',').map((s) => s.trim()));
  if (![...scenarios].every((s) => s === '1' || s === '2')) throw new Error(`FAIRNESS_SCENARIOS lists 1 and/or 2 (got ${process.env.FAIRNESS_SCENARIOS})`);
  const redis = await benchRedis();
  try {
    const log = (what: string) => process.stderr.write(`fairness: ${what}…\n`);
    const load = () => round(loadavg()[0] ?? 0, 1);
    const scenario2 = async () => {
      log('scenario 2, B alone under the rate limit');
      const shareBAlone = await run(redis.url, share, 'fair', { b: share.bSessions }, share);
      log(`scenario 2, A (${share.aSessions}) then B (${share.bSessions}), tenant share ${share.tenantShare}`);
      const shareMixed = await run(redis.url, share, 'fair', { a: share.aSessions, b: share.bSessions }, share);
      const shareBAloneS = shareBAlone.b?.lastDoneS ?? Number.NaN;
      const shareBMixedS = shareMixed.b?.lastDoneS ?? Number.NaN;
      return {
        result: {
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
          bAloneWhere: shareBAlone.bWhere,
          bWithAWhere: shareMixed.bWhere,
          governorWaits: shareMixed.governorWaits,
          firstGovernorWaitS: shareMixed.firstGovernorWaitS,
          bDoneS: shareMixed.bDoneS,
        },
        met: { bVsAlone: shareBMixedS <= 2 * shareBAloneS, noTenantPauses: shareMixed.tenantSharePauses === 0 },
      };
    };
    if (!scenarios.has('1')) {
      const two = await scenario2();
      return { scenario2: two.result, targets: { scenario2: { bVsAlone: '<= 2', queueWidePausesForTenantShare: '0' } }, met: { scenario2: two.met } };
    }
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
    const two = scenarios.has('2') ? await scenario2() : undefined;

    const bIdleS = bIdle.b?.lastDoneS ?? Number.NaN;
    const aAloneRate = aAlone.a?.sessionsPerS ?? Number.NaN;
    const candidate = (r: RunResult, alone: RunResult) => ({
      bCompletionS: r.b?.lastDoneS ?? null,
      aSessionsPerS: r.a?.sessionsPerS ?? null,
      aAloneSessionsPerS: alone.a?.sessionsPerS ?? null,
      aDoneWhenBDone: r.aDoneWhenBDone,
      bVsIdle: r.b ? round(r.b.lastDoneS / bIdleS, 2) : null,
      aVsAlone: r.a && alone.a ? round(r.a.sessionsPerS / alone.a.sessionsPerS, 3) : null,
    });
    const results = {
      scenario1: {
        config: backlog,
        /** 1-minute load average when the scenario ended (the machine may be shared). */
        loadAverage: load(),
        bIdleS,
        fair: candidate(fair, aAlone),
        fifo: candidate(fifo, aAloneFifo),
      },
      ...(two ? { scenario2: two.result } : {}),
    };
    const bTarget = 3 * bIdleS + 1;
    return {
      ...results,
      targets: {
        scenario1: { bCompletionS: `<= 3 x bIdleS + 1 = ${round(bTarget, 2)}`, aVsAlone: '>= 0.9' },
        scenario2: { bVsAlone: '<= 2', queueWidePausesForTenantShare: '0' },
      },
      met: {
        scenario1: { bCompletion: (fair.b?.lastDoneS ?? Infinity) <= bTarget, aThroughput: (fair.a?.sessionsPerS ?? 0) >= 0.9 * aAloneRate },
        ...(two ? { scenario2: two.met } : {}),
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
  /** Where B's sessions spent their time, from their events. */
  bWhere: BWhere | null;
  /** Every governor wait of the run, by `tenant:mode:reason`. */
  governorWaits: Record<string, number>;
  /** Seconds from the first enqueue to the first governor wait, and to B's last completion. */
  firstGovernorWaitS: number | null;
  bDoneS: number | null;
}

interface BWhere {
  /** B's governor waits by kind: slept in place (with the total ms), deferred, paused the queue. */
  governorWaits: { inline: number; inlineMs: number; defer: number; pause: number };
  /** How long B's steps queued before a worker started them, in ms. */
  stepQueueMs: { median: number; max: number };
  /** How long B's steps ran, start to commit, in ms. */
  stepRunMs: { median: number; max: number };
  /** Of the queue time, BullMQ's part: the step job's add to a worker taking it (first runs only), in ms. */
  jobWaitMs: { median: number; max: number };
}

/** From B's events: its governor waits, and for each step the queue time (previous end → start) and run time. */
async function whereBWent(producer: AgentProducer, sessions: Session[]): Promise<BWhere> {
  const waits = { inline: 0, inlineMs: 0, defer: 0, pause: 0 };
  const queued: number[] = [];
  const ran: number[] = [];
  const jobWaits: number[] = [];
  for (const session of sessions) {
    const events = await producer.events(session.sessionId);
    // A step's span: its first step_started to its last event; it was ready when the step before it ended.
    const spans = new Map<number, { start?: number; end: number }>();
    for (const e of events) {
      if (e.type === 'governor_wait') {
        const mode = e.data.mode as 'inline' | 'defer' | 'pause';
        waits[mode]++;
        if (mode === 'inline') waits.inlineMs += Number(e.data.waitMs) || 0;
      }
      const span = spans.get(e.step) ?? { end: e.timestamp };
      if (e.type === 'step_started' && span.start === undefined) span.start = e.timestamp;
      span.end = Math.max(span.end, e.timestamp);
      spans.set(e.step, span);
    }
    let readyAt = session.createdAt;
    for (const step of [...spans.keys()].sort((x, y) => x - y)) {
      const span = spans.get(step);
      if (span?.start === undefined) continue;
      queued.push(span.start - readyAt);
      ran.push(span.end - span.start);
      readyAt = span.end;
      const job = await producer.queue.getJob(stepJobId(session.sessionId, step));
      if (job?.processedOn !== undefined) jobWaits.push(job.processedOn - job.timestamp);
    }
  }
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((x, y) => x - y);
    return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
  };
  return { governorWaits: waits, stepQueueMs: stats(queued), stepRunMs: stats(ran), jobWaitMs: stats(jobWaits) };
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
    const a = counts.a
      ? (await producer.startBatch(Array.from({ length: counts.a }, (_, i) => sessionInput('a', i, sizes.stepsPerSession)))).map((s) => s.sessionId)
      : [];
    const b = counts.b
      ? (await producer.startBatch(Array.from({ length: counts.b }, (_, i) => sessionInput('b', i, sizes.stepsPerSession)))).map((s) => s.sessionId)
      : [];
    await producer.waitAll([...a, ...b], { timeoutMs: 30 * 60_000 });
    const sessionsA = await records(producer, a);
    const sessionsB = await records(producer, b);
    const bDoneAt = sessionsB.length > 0 ? Math.max(...sessionsB.map((s) => s.updatedAt)) : undefined;
    const events = await producer.stores.events.since(start, { types: ['rate_limit_pause', 'step_deferred'], count: 1_000_000 });
    const pauses = events.filter((e) => e.type === 'rate_limit_pause');
    // When the governor first made a step wait, against when B's last session finished: B can only have
    // waited for a tenant's share if the first came before the second.
    const governorWaits = await producer.stores.events.since(start, { types: ['governor_wait'], count: 1_000_000 });
    const byKind: Record<string, number> = {};
    for (const e of governorWaits) {
      const kind = `${e.tenant ?? 'default'}:${String(e.data.mode)}:${String(e.data.reason)}`;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    return {
      ...(a.length > 0 ? { a: summarize(sessionsA) } : {}),
      ...(b.length > 0 ? { b: summarize(sessionsB) } : {}),
      aDoneWhenBDone: bDoneAt === undefined || a.length === 0 ? null : sessionsA.filter((s) => s.status === 'completed' && s.updatedAt <= bDoneAt).length,
      tenantSharePauses: pauses.filter((e) => String(e.data.reason).includes('tenant')).length,
      otherPauses: pauses.filter((e) => !String(e.data.reason).includes('tenant')).length,
      deferrals: events.filter((e) => e.type === 'step_deferred').length,
      answered429: mock.requests().filter((r) => r.status === 429).length,
      bWhere: sessionsB.length > 0 ? await whereBWent(producer, sessionsB) : null,
      governorWaits: byKind,
      firstGovernorWaitS: governorWaits.length > 0 ? round((Math.min(...governorWaits.map((e) => e.timestamp)) - start) / 1000, 3) : null,
      bDoneS: bDoneAt === undefined ? null : round((bDoneAt - start) / 1000, 3),
    };
  } finally {
    await stopBenchWorkers(children);
    await producer.close();
    await mock.close();
  }
}

async function records(producer: AgentProducer, ids: string[]): Promise<Session[]> {
  const out: Session[] = [];
  for (let i = 0; i < ids.length; i += 1000)
    out.push(...(await producer.stores.sessions.getMany(ids.slice(i, i + 1000))).filter((s): s is Session => s !== undefined));
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
