import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { createRedis, type Redis, type RedisTarget, type Session } from '@agentq/shared';
import { serverNodes } from '@agentq/shared/internal';
import { RedisCluster, RedisServer } from '@agentq/shared/testing';
import { spawnBenchWorker, stopBenchWorkers } from '../bench-worker.js';

/**
 * `pnpm bench cluster [--small]`: where Redis load goes, and how much of it one Redis core carries.
 *
 * Part 1, spread: the same workload (SESSIONS three-step sessions, 2 `agentq-worker` processes x 32, mock
 * model answering at once so Redis and the workers are what bind) on a 3-master Redis Cluster with 3 queue
 * shards, on the same cluster with 1 shard, and on one standalone Redis. Reported per run: steps/s, Redis
 * commands per node (INFO commandstats deltas) and the largest node's share of them. Target: largest share
 * <= 0.45 with 3 shards (1 shard puts the queue and every hot key on one node).
 *
 * Part 2, scaling: one standalone Redis, 1, 2 and 4 worker processes; steps/s and Redis CPU seconds per step
 * (INFO cpu deltas), giving the steps/s one fully busy Redis core would carry. The machine's core count is
 * reported: with 2 cores, worker processes and Redis share them, so the curve flattens for the workers' sake.
 *
 * `--small` (CI): 60 sessions a run and the curve at 1 and 2 processes.
 */
export async function cluster(): Promise<Record<string, unknown>> {
  const small = process.argv.includes('--small');
  const sessions = small ? 60 : 600;
  const curve = small ? [1, 2] : [1, 2, 4];
  const log = (what: string) => process.stderr.write(`cluster: ${what}…\n`);
  const workload = { sessions, stepsPerSession: 3, workerProcesses: 2, concurrency: 32, modelLatencyMs: 0 };

  const redisCluster = await RedisCluster.start(3);
  const standalone = await RedisServer.start();
  try {
    const clusterTarget: RedisTarget = { cluster: redisCluster.nodes };
    log(`3-master cluster, 3 shards (${sessions} sessions)`);
    const cluster3 = await runLoad(clusterTarget, 3, workload);
    log('3-master cluster, 1 shard');
    const cluster1 = await runLoad(clusterTarget, 1, workload);
    log('one standalone Redis, 1 shard');
    const single = await runLoad(standalone.url, 1, workload);
    const scaling = [];
    for (const processes of curve) {
      log(`scaling on one standalone Redis: ${processes} worker process(es)`);
      scaling.push({ processes, ...(await runLoad(standalone.url, 1, { ...workload, workerProcesses: processes })) });
    }
    const best = Math.max(...scaling.map((s) => s.stepsPerRedisCoreS ?? 0));
    return {
      small,
      machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0, 2) },
      workload,
      spread: {
        cluster3Shards: cluster3,
        cluster1Shard: cluster1,
        standalone: single,
        target: { largestNodeShareMax: 0.45, met: cluster3.largestNodeShare <= 0.45 },
      },
      scaling: {
        runs: scaling,
        /** The most steps/s one Redis core carried in the curve (steps / Redis CPU seconds). */
        stepsPerRedisCoreS: best,
        /** Sessions one Redis core holds when each step waits ~5 s for the model: steps/s per core x 5 s. */
        sessionsPerRedisCoreAt5sModel: Math.floor(best * 5),
      },
    };
  } finally {
    await redisCluster.destroy();
    await standalone.destroy();
  }
}

interface Workload {
  sessions: number;
  stepsPerSession: number;
  workerProcesses: number;
  concurrency: number;
  modelLatencyMs: number;
}

interface LoadResult {
  steps: number;
  completed: number;
  seconds: number;
  stepsPerS: number;
  /** Commands each Redis (master) node served during the run, by port. */
  commandsPerNode: Record<string, number>;
  largestNodeShare: number;
  /** Redis CPU seconds (user + sys, every node) per step. */
  redisCpuMsPerStep: number;
  /** Steps/s one Redis core would carry at this CPU cost per step. */
  stepsPerRedisCoreS: number | null;
}

async function runLoad(target: RedisTarget, shards: number, w: Workload): Promise<LoadResult> {
  const mock = await startMockAnthropic({ latencyMs: w.modelLatencyMs, maxRecorded: 10 });
  const queueName = `bench-cl-${randomUUID().slice(0, 8)}`;
  const prefix = `bc${randomUUID().slice(0, 6)}`;
  const agentsModule = fileURLToPath(new URL('./governor-agents.js', import.meta.url));
  const redis = createRedis(target);
  const producer = new AgentProducer({ connection: target, queueName, prefix, shards });
  const children: ChildProcess[] = [];
  try {
    const env: Record<string, string> = {
      ...(typeof target === 'string'
        ? { REDIS_URL: target }
        : 'cluster' in target
          ? { REDIS_CLUSTER_NODES: target.cluster.join(',') }
          : { REDIS_URL: target.url }),
      AGENTQ_QUEUE_SHARDS: String(shards),
      AGENTQ_QUEUE: queueName,
      AGENTQ_PREFIX: prefix,
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'bench-key',
    };
    for (let i = 0; i < w.workerProcesses; i++) children.push(await spawnBenchWorker(agentsModule, w.concurrency, env));
    await redis.ping();
    const nodes = await masters(redis);
    const before = await Promise.all(nodes.map(sample));
    const inputs = Array.from({ length: w.sessions }, (_, i) => {
      const script = [...Array.from({ length: w.stepsPerSession - 1 }, (_, n) => ({ tool: 'note', input: { n } })), { text: `done ${i}` }];
      return { agent: 'bench', input: `Session ${i}.\n\n${JSON.stringify({ script })}` };
    });
    const ids = (await producer.startBatch(inputs)).map((s) => s.sessionId);
    await producer.waitAll(ids, { timeoutMs: 20 * 60_000 });
    const after = await Promise.all(nodes.map(sample));
    const done = (await producer.stores.sessions.getMany(ids)).filter((s): s is Session => s !== undefined);
    const seconds = (Math.max(...done.map((s) => s.updatedAt)) - Math.min(...done.map((s) => s.createdAt))) / 1000;
    const steps = done.reduce((sum, s) => sum + s.step, 0);
    const commandsPerNode: Record<string, number> = {};
    let cpu = 0;
    nodes.forEach((node, i) => {
      commandsPerNode[String(node.options.port)] = (after[i]?.commands ?? 0) - (before[i]?.commands ?? 0);
      cpu += (after[i]?.cpuS ?? 0) - (before[i]?.cpuS ?? 0);
    });
    const total = Object.values(commandsPerNode).reduce((a, b) => a + b, 0);
    return {
      steps,
      completed: done.filter((s) => s.status === 'completed').length,
      seconds: round(seconds, 2),
      stepsPerS: round(steps / Math.max(seconds, 0.001), 1),
      commandsPerNode,
      largestNodeShare: round(Math.max(...Object.values(commandsPerNode)) / Math.max(total, 1), 3),
      redisCpuMsPerStep: round((cpu * 1000) / Math.max(steps, 1), 4),
      stepsPerRedisCoreS: cpu > 0 ? Math.round(steps / cpu) : null,
    };
  } finally {
    await stopBenchWorkers(children);
    await producer.close();
    await mock.close();
    redis.disconnect();
  }
}

/** The master nodes of a cluster (once it has loaded its slot map), or the one standalone connection. */
async function masters(redis: Redis): Promise<Redis[]> {
  for (let i = 0; i < 100; i++) {
    const nodes = serverNodes(redis);
    if (nodes.length > 0) return nodes;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no Redis nodes');
}

/** Commands served so far (every command's `calls`) and CPU seconds used, from INFO. */
async function sample(node: Redis): Promise<{ commands: number; cpuS: number }> {
  const [stats, cpu] = await Promise.all([node.info('commandstats'), node.info('cpu')]);
  const commands = [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  const user = Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  return { commands, cpuS: user + sys };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
