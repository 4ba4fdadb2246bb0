import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AgentProducer } from '@agentq/producer';
import { createRedis, type Redis } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { type ConnectionOptions, Queue } from 'bullmq';
import { benchRedis } from '../bench-redis.js';
import { historyCost } from '../durability/history-cost.js';

type Mode = 'bare' | 'naive' | 'agentq';
const MODES: Mode[] = ['bare', 'naive', 'agentq'];

/**
 * `pnpm bench durability`: what a durable step costs, against the loop a user would hand-roll. Three chains
 * in one worker process each, on the same Redis in the same run: `bare` (a BullMQ chain that only adds the
 * next job), `naive` (the real SDK's `messages.create` through the same instant in-process fetch, zod
 * validation of the tool input, the no-op tool, the next job added with a deterministic id) and `agentq`
 * (checkpointed model call, one no-op tool call, commit, next step). Shapes 1,000 × 5 and 100 × 50 sessions
 * at concurrency 50; 3 repetitions interleaved (bare, naive, agentq, bare, …), each after a warm-up, medians
 * reported. Per step: steps/s, worker CPU, Redis CPU, Redis commands (INFO commandstats, commands run inside
 * Lua included), client commands, bytes into and out of Redis; and, one session at a time, the step-to-step
 * latency and the sequential round trips (counted on instrumented connections).
 *
 * `--small` (or AGENTQ_BENCH_SMALL=1): tiny shapes, to prove the benchmark runs (CI); its numbers mean nothing.
 * Sizes: `--concurrency N` / AGENTQ_BENCH_CONCURRENCY (50), `--reps N` / AGENTQ_BENCH_REPS (3).
 * `--unloaded-only N` (or AGENTQ_BENCH_UNLOADED_ONLY=N): only the unloaded chains, N sessions each (their
 * step-to-step mean resolves less than the millisecond its percentiles are counted in).
 */
export async function durability(): Promise<Record<string, unknown>> {
  const small = process.argv.includes('--small') || process.env.AGENTQ_BENCH_SMALL === '1';
  const concurrency = setting('concurrency', 'AGENTQ_BENCH_CONCURRENCY', 50);
  const reps = setting('reps', 'AGENTQ_BENCH_REPS', small ? 1 : 3);
  const shapes = small
    ? [
        { sessions: 20, steps: 5 },
        { sessions: 4, steps: 20 },
      ]
    : [
        { sessions: 1000, steps: 5 },
        { sessions: 100, steps: 50 },
      ];
  const unloadedOnly = setting('unloaded-only', 'AGENTQ_BENCH_UNLOADED_ONLY', 0);
  const unloadedSessions = unloadedOnly > 0 ? unloadedOnly : small ? 2 : 40;
  const server = await benchRedis();
  const redis = createRedis(server.url);
  try {
    if (unloadedOnly > 0) {
      const unloaded = Object.fromEntries(
        await sequential(
          MODES.map((mode) => async () => [mode, await runUnloaded(mode, server.url, redis, { sessions: unloadedSessions, steps: 5 })] as const),
        ),
      );
      return { config: { unloadedOnly: true, unloadedSessions }, unloaded };
    }
    const byShape: Record<string, unknown> = {};
    for (const shape of shapes) {
      const runs: Record<Mode, ChainResult[]> = { bare: [], naive: [], agentq: [] };
      for (let rep = 0; rep < reps; rep++) {
        for (const mode of MODES) runs[mode].push(await runChain(mode, server.url, redis, { ...shape, concurrency, rep }));
      }
      const medians = Object.fromEntries(MODES.map((mode) => [mode, medianOf(runs[mode])])) as Record<Mode, ChainResult>;
      byShape[`${shape.sessions}x${shape.steps}`] = {
        ...medians,
        agentqOfNaive: round(medians.agentq.stepsPerSec / medians.naive.stepsPerSec, 3),
        agentqOfBare: round(medians.agentq.stepsPerSec / medians.bare.stepsPerSec, 3),
        repetitions: Object.fromEntries(MODES.map((mode) => [mode, runs[mode].map((r) => r.stepsPerSec)])),
      };
    }
    const unloaded = Object.fromEntries(
      await sequential(MODES.map((mode) => async () => [mode, await runUnloaded(mode, server.url, redis, { sessions: unloadedSessions, steps: 5 })] as const)),
    ) as Record<Mode, UnloadedResult>;
    const [five, fifty] = shapes.map((s) => byShape[`${s.sessions}x${s.steps}`] as { agentq: ChainResult; agentqOfNaive: number });
    const agentq5 = (five as { agentq: ChainResult }).agentq;
    const agentq50 = (fifty as { agentq: ChainResult }).agentq;
    const checks = {
      naiveRatio5: { value: five?.agentqOfNaive, target: '>= 0.45', pass: (five?.agentqOfNaive ?? 0) >= 0.45 },
      naiveRatio50: { value: fifty?.agentqOfNaive, target: '>= 0.5', pass: (fifty?.agentqOfNaive ?? 0) >= 0.5 },
      roundTripsPerStep: {
        value: unloaded.agentq.roundTripsPerStep,
        target: '<= 6 (middle step: test/step-round-trips.test.ts)',
        pass: unloaded.agentq.roundTripsPerStep <= 6,
      },
      redisCommandsPerStep: { value: agentq5.redisCommandsPerStep, target: '<= 70', pass: agentq5.redisCommandsPerStep <= 70 },
      redisCpuMsPerStep: { value: agentq5.redisCpuMsPerStep, target: '<= 0.17', pass: agentq5.redisCpuMsPerStep <= 0.17 },
      workerCpu50Of5: {
        value: round(agentq50.workerCpuMsPerStep / agentq5.workerCpuMsPerStep, 3),
        target: '<= 1.1',
        pass: agentq50.workerCpuMsPerStep / agentq5.workerCpuMsPerStep <= 1.1,
      },
      unloadedP50Ms: { value: unloaded.agentq.stepToStepMs.p50, target: '<= 3', pass: unloaded.agentq.stepToStepMs.p50 <= 3 },
    };
    return {
      config: {
        small,
        shapes,
        concurrency,
        reps,
        workerProcesses: 1,
        model: 'instant in-process fetch through the real SDK',
        tool: 'one no-op call per step (safe, idempotent)',
      },
      ...byShape,
      unloaded,
      memoryPerFinishedSession: await sessionMemory(redis),
      // A 50-step session's history at its last step: what a step does with it besides sending it.
      historyWorkPerStep: historyCost(100, small ? 1 : 5, small ? 50 : 5000),
      checks,
      pass: Object.values(checks).every((c) => c.pass),
    };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

interface ChainResult {
  steps: number;
  elapsedMs: number;
  stepsPerSec: number;
  workerCpuMsPerStep: number;
  redisCpuMsPerStep: number;
  /** Every command Redis ran, those inside Lua scripts included (INFO commandstats). */
  redisCommandsPerStep: number;
  /** Commands the worker process sent (an EVALSHA is one). */
  clientCommandsPerStep: number;
  bytesIntoRedisPerStep: number;
  bytesOutOfRedisPerStep: number;
  /** The most frequent commands per step (commands run inside Lua scripts included), from INFO commandstats. */
  topCommandsPerStep: Record<string, number>;
  /**
   * Where Redis's command time goes: microseconds per step by command (INFO commandstats `usec`), the most
   * first. A script's time (`evalsha`) includes the commands it runs, which are also listed by their own name.
   * Redis's CPU per step is more than these: reading, parsing and writing the sockets is counted by neither.
   */
  redisUsecPerStep: Record<string, number>;
}

interface UnloadedResult {
  sessions: number;
  steps: number;
  stepToStepMs: { p50: number; p90: number; p99: number; max: number; mean: number; samples: number };
  /** Sequential round trips of the whole session (its start included) divided by its steps. */
  roundTripsPerStep: number;
  clientCommandsPerStep: number;
}

async function sequential<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const task of tasks) out.push(await task());
  return out;
}

function medianOf(results: ChainResult[]): ChainResult {
  const pick = (key: keyof ChainResult) => median(results.map((r) => r[key] as number));
  const sorted = [...results].sort((a, b) => a.stepsPerSec - b.stepsPerSec);
  const middle = sorted[Math.floor(sorted.length / 2)] as ChainResult;
  return {
    steps: middle.steps,
    elapsedMs: pick('elapsedMs'),
    stepsPerSec: pick('stepsPerSec'),
    workerCpuMsPerStep: pick('workerCpuMsPerStep'),
    redisCpuMsPerStep: pick('redisCpuMsPerStep'),
    redisCommandsPerStep: pick('redisCommandsPerStep'),
    clientCommandsPerStep: pick('clientCommandsPerStep'),
    bytesIntoRedisPerStep: pick('bytesIntoRedisPerStep'),
    bytesOutOfRedisPerStep: pick('bytesOutOfRedisPerStep'),
    topCommandsPerStep: middle.topCommandsPerStep,
    redisUsecPerStep: middle.redisUsecPerStep,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface ChildReport {
  elapsedMs: number;
  cpuMs: number;
  clientCommands: number;
  roundTrips: number;
}

function spawnChild(
  mode: Mode,
  url: string,
  queueName: string,
  prefix: string,
  size: { sessions: number; steps: number; concurrency: number },
  load: 'loaded' | 'unloaded',
  /** Called once the child is warm, before it starts. */
  onReady: () => Promise<void> = async () => undefined,
): Promise<ChildReport> {
  const child = spawn(
    process.execPath,
    [
      // e.g. AGENTQ_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the worker process
      ...(process.env.AGENTQ_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      fileURLToPath(new URL('../durability/chain-child.js', import.meta.url)),
      mode,
      url,
      queueName,
      prefix,
      String(size.sessions),
      String(size.steps),
      String(size.concurrency),
      load,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return (async () => {
    const lines = createInterface({ input: child.stdout });
    let report: ChildReport | undefined;
    for await (const line of lines) {
      const msg = JSON.parse(line) as Partial<ChildReport> & { done?: number; ready?: boolean };
      if (msg.ready) {
        await onReady();
        child.stdin.write('go\n');
      }
      if (msg.done !== undefined) report = msg as ChildReport;
    }
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    if (code !== 0 || !report) throw new Error(`${mode} worker exited with ${code}`);
    return report;
  })();
}

async function runChain(
  mode: Mode,
  url: string,
  redis: Redis,
  size: { sessions: number; steps: number; concurrency: number; rep: number },
): Promise<ChainResult> {
  const queueName = `bench-${mode}-${size.steps}-${size.rep}`;
  const prefix = `b${mode}${size.steps}r${size.rep}`;
  await enqueue(mode, url, queueName, prefix, size.sessions, size.steps);
  let before = await serverStats(redis);
  const report = await spawnChild(mode, url, queueName, prefix, size, 'loaded', async () => {
    before = await serverStats(redis);
  });
  const after = await serverStats(redis);
  const total = size.sessions * size.steps;
  const perCommand = Object.entries(after.commands)
    .map(([name, calls]) => [name, (calls - (before.commands[name] ?? 0)) / total] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15);
  const allCommands = Object.entries(after.commands).reduce((sum, [name, calls]) => sum + calls - (before.commands[name] ?? 0), 0);
  return {
    steps: total,
    elapsedMs: Math.round(report.elapsedMs),
    stepsPerSec: round(total / (report.elapsedMs / 1000), 1),
    workerCpuMsPerStep: round(report.cpuMs / total, 4),
    redisCpuMsPerStep: round(((after.cpuSec - before.cpuSec) * 1000) / total, 4),
    // The INFO commands of this benchmark's own probes are left out.
    redisCommandsPerStep: round((allCommands - 2) / total, 1),
    clientCommandsPerStep: round(report.clientCommands / total, 1),
    bytesIntoRedisPerStep: Math.round((after.netIn - before.netIn) / total),
    bytesOutOfRedisPerStep: Math.round((after.netOut - before.netOut) / total),
    topCommandsPerStep: Object.fromEntries(perCommand.map(([name, n]) => [name, round(n, 2)])),
    redisUsecPerStep: Object.fromEntries(
      Object.entries(after.usec)
        .map(([name, usec]) => [name, (usec - (before.usec[name] ?? 0)) / total] as const)
        .filter(([name, n]) => n >= 0.05 && name !== 'info')
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([name, n]) => [name, round(n, 2)]),
    ),
  };
}

async function runUnloaded(mode: Mode, url: string, redis: Redis, size: { sessions: number; steps: number }): Promise<UnloadedResult> {
  const queueName = `bench-${mode}-unloaded`;
  const prefix = `b${mode}u`;
  const report = await spawnChild(mode, url, queueName, prefix, { ...size, concurrency: 1 }, 'unloaded');
  const ids = Array.from({ length: size.sessions }, (_, i) => `ses_u${i}`);
  const gaps = await stepGaps(redis, queueName, ids, size.steps);
  const total = size.sessions * size.steps;
  return {
    ...size,
    stepToStepMs: {
      p50: pct(gaps, 0.5),
      p90: pct(gaps, 0.9),
      p99: pct(gaps, 0.99),
      max: gaps[gaps.length - 1] ?? 0,
      mean: round(gaps.reduce((sum, gap) => sum + gap, 0) / Math.max(1, gaps.length), 2),
      samples: gaps.length,
    },
    roundTripsPerStep: round(report.roundTrips / total, 2),
    clientCommandsPerStep: round(report.clientCommands / total, 1),
  };
}

/** Bytes of Redis memory a finished agentq session holds (its own keys, and its step jobs kept by BullMQ). */
async function sessionMemory(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [label, prefix, queueName] of [
    ['5-step', 'bagentq5r0', 'bench-agentq-5-0'],
    ['50-step', 'bagentq50r0', 'bench-agentq-50-0'],
  ]) {
    const sample = (await redis.call('ZRANGE', new Keys(prefix).sessionIndex(), '0', '19')) as string[];
    if (sample.length === 0) continue;
    let own = 0;
    let jobs = 0;
    for (const id of sample) {
      for (const key of await scanAll(redis, `${prefix}:s:{${id}}*`)) own += Number(await redis.call('MEMORY', 'USAGE', key)) || 0;
      for (const key of await scanAll(redis, `bull:${queueName}:${id}-s*`)) jobs += Number(await redis.call('MEMORY', 'USAGE', key)) || 0;
    }
    out[`${label}SessionKeysBytes`] = Math.round(own / sample.length);
    out[`${label}StepJobsBytes`] = Math.round(jobs / sample.length);
  }
  return out;
}

async function scanAll(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
}

/** Enqueues every session's first step before the worker starts, so the run measures consumption only. */
async function enqueue(mode: Mode, url: string, queueName: string, prefix: string, sessions: number, _steps: number): Promise<string[]> {
  if (mode === 'agentq') {
    // The worker starts after the enqueue (the run measures consumption only), so its agent is not registered yet.
    const producer = new AgentProducer({ connection: url, queueName, prefix, allowUnregistered: true });
    try {
      const inputs = Array.from({ length: sessions }, (_, i) => ({ agent: 'bench', input: `benchmark session ${i}` }));
      return (await producer.startBatch(inputs)).map((r) => r.sessionId);
    } finally {
      await producer.close();
    }
  }
  const connection = createRedis(url);
  const queue = new Queue(queueName, { connection: connection as unknown as ConnectionOptions });
  try {
    const ids = Array.from({ length: sessions }, (_, i) => `ses_${mode}${i}`);
    for (let i = 0; i < ids.length; i += 500) {
      await queue.addBulk(
        ids.slice(i, i + 500).map((sessionId) => ({
          name: 'step',
          data: { sessionId, step: 0 },
          opts: { jobId: `${sessionId}-s0`, removeOnComplete: { age: 24 * 3600, count: 100_000 } },
        })),
      );
    }
    return ids;
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** Time from one step's job start to the next step's job start (BullMQ's `processedOn`, ms). */
async function stepGaps(redis: Redis, queueName: string, ids: string[], steps: number): Promise<number[]> {
  const gaps: number[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    const pipeline = redis.pipeline();
    for (const id of slice) for (let s = 0; s < steps; s++) pipeline.hget(`bull:${queueName}:${id}-s${s}`, 'processedOn');
    const replies = (await pipeline.exec()) ?? [];
    slice.forEach((_, j) => {
      for (let s = 1; s < steps; s++) {
        const prev = Number(replies[j * steps + s - 1]?.[1]);
        const next = Number(replies[j * steps + s]?.[1]);
        if (Number.isFinite(prev) && Number.isFinite(next) && prev > 0 && next > 0) gaps.push(next - prev);
      }
    });
  }
  return gaps.sort((a, b) => a - b);
}

/** Redis's own counters: CPU seconds, bytes in and out, and calls per command (Lua-internal ones included). */
async function serverStats(
  redis: Redis,
): Promise<{ cpuSec: number; netIn: number; netOut: number; commands: Record<string, number>; usec: Record<string, number> }> {
  const [cpu, stats, commandstats] = await Promise.all([redis.info('cpu'), redis.info('stats'), redis.info('commandstats')]);
  const num = (text: string, name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
  const commands: Record<string, number> = {};
  const usec: Record<string, number> = {};
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    commands[match[1] as string] = Number(match[2]);
    usec[match[1] as string] = Number(match[3]);
  }
  return {
    cpuSec: num(cpu, 'used_cpu_user') + num(cpu, 'used_cpu_sys'),
    netIn: num(stats, 'total_net_input_bytes'),
    netOut: num(stats, 'total_net_output_bytes'),
    commands,
    usec,
  };
}

function pct(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function setting(flag: string, env: string, fallback: number): number {
  const args = process.argv;
  const i = args.indexOf(`--${flag}`);
  const raw = i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1] ?? process.env[env]);
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${flag} / ${env} must be a positive whole number (got ${JSON.stringify(raw)})`);
  return n;
}
