import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AgentProducer } from '@agentq/producer';
import { createRedis, type Redis } from '@agentq/shared';
import { type ConnectionOptions, Queue } from 'bullmq';
import { benchRedis } from '../bench-redis.js';
import { sdkCallCost } from '../durability/sdk-call-cost.js';

/**
 * `pnpm bench durability`: what durability costs. agentq steps (checkpointed model call with an instant
 * in-process model, one no-op tool call, commit CAS, enqueue next) against a bare BullMQ chain whose
 * processor only adds the session's next job, both in one worker process on the same Redis in the same
 * run. Target: agentq ≥ 0.5 × the bare chain's steps/s.
 *
 * Sizes: `--sessions N` / AGENTQ_BENCH_SESSIONS (2000), `--steps N` / AGENTQ_BENCH_STEPS (5),
 * `--concurrency N` / AGENTQ_BENCH_CONCURRENCY (50).
 */
export async function durability(): Promise<Record<string, unknown>> {
  const sessions = setting('sessions', 'AGENTQ_BENCH_SESSIONS', 2000);
  const steps = setting('steps', 'AGENTQ_BENCH_STEPS', 5);
  const concurrency = setting('concurrency', 'AGENTQ_BENCH_CONCURRENCY', 50);
  const server = await benchRedis();
  const redis = createRedis(server.url);
  try {
    const bare = await runChain('bare', server.url, redis, { sessions, steps, concurrency });
    const agentq = await runChain('agentq', server.url, redis, { sessions, steps, concurrency });
    const ratio = agentq.stepsPerSec / bare.stepsPerSec;
    // Every agentq step makes one SDK call; its CPU alone bounds the steps/s one worker process can reach.
    const sdk = await sdkCallCost();
    return {
      config: { sessions, steps, concurrency, workerProcesses: 1, model: 'instant in-process fetch through the real SDK', tool: 'one no-op call per step (safe, idempotent)' },
      bare,
      agentq,
      ratio: round(ratio, 3),
      sdkCallOnly: { ...sdk, ratioOfBare: round(sdk.ceilingStepsPerSec / bare.stepsPerSec, 3) },
      target: 0.5,
      pass: ratio >= 0.5,
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
  redisCommands: number;
  redisCommandsPerStep: number;
  /** Redis server CPU seconds per wall second during the run (1 = its one thread saturated). */
  redisCpuShare: number;
  /** The most frequent commands per step (commands run inside Lua scripts included), from INFO commandstats. */
  topCommandsPerStep: Record<string, number>;
  stepToStepMs: { p50: number; p90: number; p99: number; max: number; samples: number };
}

async function runChain(
  mode: 'agentq' | 'bare',
  url: string,
  redis: Redis,
  size: { sessions: number; steps: number; concurrency: number },
): Promise<ChainResult> {
  const queueName = `bench-${mode}`;
  const prefix = `b${mode}`;
  const ids = await enqueue(mode, url, queueName, prefix, size.sessions);
  const before = await commandsProcessed(redis);
  const cpuBefore = await redisCpuSec(redis);
  const statsBefore = await commandStats(redis);
  const child = spawn(
    process.execPath,
    [
      // e.g. AGENTQ_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the worker process
      ...(process.env.AGENTQ_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      fileURLToPath(new URL('../durability/chain-child.js', import.meta.url)),
      mode, url, queueName, prefix, String(size.sessions), String(size.steps), String(size.concurrency)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  let elapsedMs: number | undefined;
  for await (const line of lines) {
    const msg = JSON.parse(line) as { done?: number; elapsedMs?: number };
    if (msg.elapsedMs !== undefined) elapsedMs = msg.elapsedMs;
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0 || elapsedMs === undefined) throw new Error(`${mode} worker exited with ${code}`);
  const after = await commandsProcessed(redis);
  const cpuAfter = await redisCpuSec(redis);
  const statsAfter = await commandStats(redis);
  const total = size.sessions * size.steps;
  const perCommand = Object.entries(statsAfter)
    .map(([name, calls]) => [name, (calls - (statsBefore[name] ?? 0)) / total] as const)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15);
  const gaps = await stepGaps(redis, queueName, ids, size.steps);
  return {
    steps: total,
    elapsedMs: Math.round(elapsedMs),
    stepsPerSec: round(total / (elapsedMs / 1000), 1),
    redisCommands: after - before,
    redisCommandsPerStep: round((after - before) / total, 1),
    redisCpuShare: round((cpuAfter - cpuBefore) / (elapsedMs / 1000), 2),
    topCommandsPerStep: Object.fromEntries(perCommand.map(([name, n]) => [name, round(n, 2)])),
    stepToStepMs: { p50: pct(gaps, 0.5), p90: pct(gaps, 0.9), p99: pct(gaps, 0.99), max: gaps[gaps.length - 1] ?? 0, samples: gaps.length },
  };
}

/** Enqueues every session's first step before the worker starts, so the run measures consumption only. */
async function enqueue(mode: 'agentq' | 'bare', url: string, queueName: string, prefix: string, sessions: number): Promise<string[]> {
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
    const ids = Array.from({ length: sessions }, (_, i) => `ses_bare${i}`);
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

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  const match = /total_commands_processed:(\d+)/.exec(info);
  return Number(match?.[1] ?? 0);
}

async function redisCpuSec(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
  return user + sys;
}

async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const out: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[match[1] as string] = Number(match[2]);
  return out;
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
