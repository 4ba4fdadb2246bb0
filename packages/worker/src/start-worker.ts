import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Agent, createLogger, createRedis, createStores, type Logger, type Redis } from '@agentq/shared';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { ModelClient, type ModelClientOptions } from './model/model-client.js';
import { processStep, type StepResult } from './step/process-step.js';
import { DEFAULT_STEP_SETTINGS, type StepDeps, type StepSettings } from './step/step-deps.js';
import { QueuePause } from './step/step-signals.js';
import type { ToolGuard } from './tools/tool-guard.js';

export interface StartWorkerOptions {
  /** The agents this worker can run, by name. */
  agents: Agent[];
  /** Redis URL or an ioredis connection. @defaultValue process.env.REDIS_URL or redis://127.0.0.1:6379 */
  connection?: string | Redis;
  /** Steps run at once by this process. @defaultValue 10 */
  concurrency?: number;
  /** @defaultValue 'agentq' */
  queueName?: string;
  /** Prefix of agentq's own Redis keys. @defaultValue 'aq' */
  prefix?: string;
  /** Model client settings; default from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL. */
  model?: ModelClientOptions;
  logger?: Logger;
  /**
   * How long a job lock lasts without renewal. A worker renews it every half period while a step runs, so
   * this only bounds how soon a crashed worker's step is picked up again. @defaultValue 60000
   */
  lockDurationMs?: number;
  /** How often stalled (lock-lost) jobs are looked for. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** Times a step may stall (its worker died) before it fails; steps are checkpointed, so a few are harmless. @defaultValue 5 */
  maxStalledCount?: number;
  /** Times a step job may start at all, bounding endless re-queueing by rate limits. @defaultValue 1000 */
  maxStartedAttempts?: number;
  /** Per-step settings: attempts, backoff, tool waits. */
  step?: Partial<StepSettings>;
  /** Extra tool guards run after the built-in ones. */
  guards?: ToolGuard[];
  /** Start taking jobs at once. @defaultValue true */
  autorun?: boolean;
}

export interface AgentqWorker {
  readonly id: string;
  readonly worker: Worker;
  readonly queue: Queue;
  readonly deps: StepDeps;
  /** Stops taking jobs, waits for in-flight steps, closes connections. */
  close(): Promise<void>;
  /** Closes at once: in-flight steps come back through stall detection. */
  kill(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<AgentqWorker> {
  const logger = options.logger ?? createLogger({ name: 'agentq-worker', level: process.env.AGENTQ_LOG_LEVEL ?? 'info' });
  const ownsConnection = typeof options.connection !== 'object';
  const url = typeof options.connection === 'string' ? options.connection : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const redis = typeof options.connection === 'object' ? options.connection : createRedis(url);
  const queueName = options.queueName ?? 'agentq';
  const stores = createStores(redis, options.prefix ?? 'aq');
  const connection = redis as unknown as ConnectionOptions;
  const queue = new Queue(queueName, { connection });
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const shutdown = new AbortController();

  const agents = new Map<string, Agent>();
  for (const agent of options.agents) {
    if (agents.has(agent.name)) throw new TypeError(`startWorker: two agents are named "${agent.name}"`);
    agents.set(agent.name, agent);
  }

  const deps: StepDeps = {
    stores,
    queue,
    agents,
    model: new ModelClient(options.model ?? { apiKey: process.env.ANTHROPIC_API_KEY, baseURL: process.env.ANTHROPIC_BASE_URL }),
    logger,
    workerId: id,
    settings: { ...DEFAULT_STEP_SETTINGS, ...options.step },
    shutdownSignal: shutdown.signal,
    guards: [...(options.guards ?? [])],
  };

  const worker = new Worker(queueName, (job: Job, token?: string) => runJob(deps, job, token), {
    connection,
    concurrency: options.concurrency ?? 10,
    autorun: options.autorun ?? true,
    name: id,
    lockDuration: options.lockDurationMs ?? 60_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 5,
    maxStartedAttempts: options.maxStartedAttempts ?? 1000,
    // A manual queue.rateLimit() pauses every worker only when each carries a limiter; this one never binds.
    limiter: { max: 100_000, duration: 1000 },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: err.message, attemptsMade: job?.attemptsMade }, 'job failed'));

  let closing: Promise<void> | undefined;
  const closeAll = async (force: boolean) => {
    if (force) shutdown.abort(new Error('worker killed'));
    await worker.close(force);
    await queue.close();
    if (ownsConnection) await redis.quit().catch(() => redis.disconnect());
  };
  return {
    id,
    worker,
    queue,
    deps,
    close: () => (closing ??= closeAll(false)),
    kill: () => (closing ??= closeAll(true)),
  };
}

async function runJob(deps: StepDeps, job: Job, _token?: string): Promise<StepResult | 'ignored'> {
  if (job.name !== 'step') {
    deps.logger.warn({ jobId: job.id, name: job.name }, 'unknown job name');
    return 'ignored';
  }
  try {
    return await processStep(deps, job);
  } catch (error) {
    if (error instanceof QueuePause) {
      // Pause the whole queue: no worker fetches until the pause ends, and this job returns to wait
      // without using an attempt.
      await deps.queue.rateLimit(error.pauseMs);
      await deps.stores.events.append({
        sessionId: job.data.sessionId,
        step: job.data.step,
        type: 'rate_limit_pause',
        data: { pauseMs: error.pauseMs, reason: error.reason },
        jobId: job.id,
        workerId: deps.workerId,
      });
      deps.logger.warn({ jobId: job.id, pauseMs: error.pauseMs, reason: error.reason }, 'queue paused for rate limit');
      throw Worker.RateLimitError();
    }
    throw error;
  }
}
