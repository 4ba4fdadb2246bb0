import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import {
  type Agent,
  AgentRegistry,
  BudgetLedger,
  createLogger,
  defaultJobRetention,
  createStores,
  openRedis,
  type QueueShard,
  queueShards,
  type RedisConnection,
  shardCountFromEnv,
  type JobName,
  parseJob,
  scheduleJob,
  envBool,
  type Logger,
  LoopDetector,
  type Redis,
  RECONCILER_SCHEDULER_ID,
  REGISTRY_HEARTBEAT_MS,
  registerQueueGauges,
  TenantBudgets,
  TenantControls,
  TenantScheduler,
  type SchedulingMode,
  type TenantSettings,
  WORKER_LIMITER,
} from '@agentq/shared';
import { duplicateRedis, isCluster } from '@agentq/shared/internal';
import { type ConnectionOptions, type Job, Queue, Worker, type WorkerOptions } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { Alerter, type AlertOptions } from './alerts/alerter.js';
import { BatchLane } from './batch/batch-lane.js';
import { type BatchLaneOptions, resolveBatchLaneOptions } from './batch/batch-lane-options.js';
import { flushBatches } from './batch/flush-batches.js';
import { pollBatches } from './batch/poll-batches.js';
import { EventLoopHealth } from './health/event-loop-health.js';
import { RedisHealth, warnUnsafeRedis } from './health/redis-health.js';
import { workerProbes } from './health/worker-probes.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { WorkerMetrics } from './metrics/worker-metrics.js';
import { Governor } from './governor/governor.js';
import type { GovernorOptions } from './governor/governor-options.js';
import { failDeadStep } from './queue/fail-dead-step.js';
import { DEFAULT_QUEUE_PAUSE_LIMITS, pauseQueue, type QueuePauseLimits } from './queue/queue-pause.js';
import { ModelClient, type ModelClientOptions } from './model/model-client.js';
import { reconcileSessions } from './reconciler/reconcile-sessions.js';
import { type ReconcilerOptions, type ResolvedReconcilerOptions, resolveReconcilerOptions } from './reconciler/reconciler-options.js';
import { processStep, type StepResult } from './step/process-step.js';
import { DEFAULT_STEP_SETTINGS, type StepDeps, type StepSettings } from './step/step-deps.js';
import { QueuePause } from './queue/job-signals.js';
import { handleApprovalTimeout } from './tools/approval-timeout.js';
import { CircuitBreaker } from './tools/circuit-breaker.js';
import { McpConnections } from './mcp/mcp-connections.js';
import { HumanInputGate } from './tools/human-input-gate.js';
import { loopGuard } from './tools/loop-guard.js';
import { handleQuestionTimeout } from './tools/question-timeout.js';
import { RiskGate } from './tools/risk-gate.js';
import type { ToolGuard } from './tools/tool-guard.js';
import { BreakerState } from './tools/breaker-state.js';

export interface StartWorkerOptions {
  /** The agents this worker can run, by name. */
  agents: Agent[];
  /**
   * Redis URL, `{ cluster: ['host:port', …] }` for a Redis Cluster, or an open ioredis connection (a `Cluster`
   * passed as one too).
   * @defaultValue REDIS_CLUSTER_NODES, else REDIS_URL, else redis://127.0.0.1:6379
   */
  connection?: RedisConnection;
  /** Steps run at once by this process (split over the shards it consumes, at least 1 each). @defaultValue 10 */
  concurrency?: number;
  /** @defaultValue 'agentq' */
  queueName?: string;
  /**
   * Queue shards of the fleet (hash-tagged BullMQ queues, see queue-shards.ts); every producer and worker
   * must use the same number. @defaultValue AGENTQ_QUEUE_SHARDS, else 1
   */
  shards?: number;
  /** The shards this worker takes steps from (`agentq-worker --shards 0,2`). @defaultValue every shard */
  consumeShards?: number[];
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
  /**
   * Serve Prometheus metrics at `http://<metricsHost>:<port>/metrics`; 0 picks a free port (see `metricsServer.url`).
   * @defaultValue no server (the `agentq-worker` binary reads AGENTQ_METRICS_PORT)
   */
  metricsPort?: number;
  /** Interface the metrics server listens on; the metrics carry no auth, so open it deliberately. @defaultValue '127.0.0.1' (the binary reads AGENTQ_METRICS_HOST) */
  metricsHost?: string;
  /**
   * Liveness (`/healthz`) fails when the event loop's worst delay over the last few seconds is above this; a
   * Redis outage never fails it. @defaultValue 10000 (the binary reads AGENTQ_MAX_EVENT_LOOP_DELAY_MS)
   */
  maxEventLoopDelayMs?: number;
  /** Webhook alerts on failures, loops, budget stops, approval requests and a high failure rate. @defaultValue off (the binary reads AGENTQ_ALERT_WEBHOOK_URL) */
  alerts?: AlertOptions;
  /**
   * The fleet-wide rate-limit governor (limits per minute, inline wait, tenant share); `false` turns it off.
   * @defaultValue on, limits learned from the API's `anthropic-ratelimit-*` headers (the binary reads AGENTQ_RPM_LIMIT, AGENTQ_ITPM_LIMIT, AGENTQ_OTPM_LIMIT)
   */
  governor?: GovernorOptions | false;
  /**
   * The Message Batches lane of sessions with `urgency: 'batch'`: batch size and age thresholds, poll interval.
   * @defaultValue see {@link BatchLaneOptions} (the binary reads AGENTQ_BATCH_MAX_SIZE, AGENTQ_BATCH_MAX_AGE_MS, AGENTQ_BATCH_POLL_MS)
   */
  batch?: BatchLaneOptions;
  /**
   * The reconciler: a repeatable job (one job scheduler per queue, so one per fleet) that repairs sessions
   * with no live job behind them; `false` leaves the schedule alone (another worker still runs it).
   * @defaultValue every 30 s, sessions quiet for 60 s
   */
  reconciler?: ReconcilerOptions | false;
  /**
   * Bounds of a whole-queue pause: a 429's `retry-after` longer than `maxQueuePauseMs` is cut to it (the next
   * call re-probes), and no pause is shorter than `minQueuePauseMs`.
   * @defaultValue 5 minutes and 1 s (the binary reads AGENTQ_MAX_QUEUE_PAUSE_MS)
   */
  queuePause?: Partial<QueuePauseLimits>;
  /**
   * Tenant weights, concurrency caps and rate-limit shares written to Redis at start-up (they apply to the
   * whole fleet; `producer.tenants` and `agentq tenants` change them at run time).
   * @defaultValue none (the binary reads AGENTQ_TENANT_WEIGHTS, AGENTQ_TENANT_MAX_CONCURRENCY, AGENTQ_TENANT_SHARES)
   */
  tenants?: Record<string, TenantSettings>;
  /**
   * `fair`: the steps this worker queues get their tenant's priority; `fifo`: arrival order (the baseline the
   * fairness benchmark compares with). Use the same mode on producers and workers. @defaultValue 'fair' (env AGENTQ_SCHEDULING)
   */
  scheduling?: SchedulingMode;
  /**
   * Open OpenTelemetry spans for steps, model calls and tool calls through the globally registered tracer
   * provider (see `startTracing`), and turn on BullMQ's own telemetry (`bullmq-otel`). @defaultValue false
   */
  tracing?: boolean;
}

/** What a worker runs for one queue shard: its BullMQ queue and worker, and the step deps bound to them. */
export interface ShardRuntime {
  readonly shard: QueueShard;
  readonly queue: Queue;
  readonly worker: Worker;
  /** The shard's step deps: its stores (shard-tagged global keys), queue, tenant scheduler and batch lane. */
  readonly deps: StepDeps;
}

export interface AgentqWorker {
  readonly id: string;
  /** The first consumed shard's BullMQ worker (the only one unless the fleet runs several shards). */
  readonly worker: Worker;
  /** The first consumed shard's queue. */
  readonly queue: Queue;
  /** The first consumed shard's step deps. */
  readonly deps: StepDeps;
  /** One runtime per consumed shard, in shard order. */
  readonly shards: readonly ShardRuntime[];
  /** This worker's Prometheus series (served only with `metricsPort`). */
  readonly metrics: WorkerMetrics;
  readonly metricsServer: MetricsServer | undefined;
  readonly alerter: Alerter | undefined;
  /** Whether Redis answers, as this worker's connections see it (also at `/healthz` and `/readyz`). */
  readonly health: RedisHealth;
  /** Stops taking jobs, waits for in-flight steps, closes connections. */
  close(): Promise<void>;
  /** Closes at once: in-flight steps come back through stall detection. */
  kill(): Promise<void>;
}

export async function startWorker(options: StartWorkerOptions): Promise<AgentqWorker> {
  const logger =
    options.logger ??
    createLogger({
      name: 'agentq-worker',
      level: process.env.AGENTQ_LOG_LEVEL ?? 'info',
      pretty: envBool().safeParse(process.env.AGENTQ_LOG_PRETTY).data ?? false,
    });
  // Auto-pipelining: the many small commands that concurrent steps issue in one tick leave in one write, so a
  // step's ~15 round trips cost the worker far fewer syscalls (nothing on this connection blocks).
  const { redis, owned: ownsConnection } = openRedis(options.connection, { enableAutoPipelining: true });
  const queueName = options.queueName ?? 'agentq';
  const prefix = options.prefix ?? 'aq';
  const allShards = queueShards(queueName, { count: options.shards ?? shardCountFromEnv(), cluster: isCluster(redis) });
  const consumed = (options.consumeShards ?? allShards.map((s) => s.index)).map((index) => {
    const shard = allShards[index];
    if (!shard) throw new RangeError(`startWorker: shard ${index} is not one of 0..${allShards.length - 1}`);
    return shard;
  });
  if (consumed.length === 0) throw new RangeError('startWorker: consumeShards is empty');
  // Unsharded keys: the tenant, governor, breaker and registry keys are fleet-wide, not per shard.
  const stores = createStores(redis, prefix);
  // BullMQ gets a connection of its own: it defines ~75 scripts on its client, which makes every ioredis
  // pipeline on a shared connection copy them all (~100µs each); apart, agentq's pipelines stay cheap and
  // the step's writes and BullMQ's share two sockets instead of queueing on one.
  const bullRedis = duplicateRedis(redis, { enableAutoPipelining: false });
  // ioredis reconnects by itself; the health watcher turns its error stream into one warn per outage (and an
  // error event without a listener would print "Unhandled error event").
  const health = new RedisHealth(logger).watch(redis, 'agentq').watch(bullRedis, 'bullmq');
  // Ready only once Redis answers: until then this waits (ioredis keeps reconnecting).
  await redis.ping();
  await warnUnsafeRedis(redis, logger);
  const connection = bullRedis as unknown as ConnectionOptions;
  const telemetry = options.tracing ? new BullMQOtel() : undefined;
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const shutdown = new AbortController();
  // Every in-flight model call and tool attempt listens on it: one listener per step slot is not a leak.
  setMaxListeners(0, shutdown.signal);

  const agents = new Map<string, Agent>();
  for (const agent of options.agents) {
    if (agents.has(agent.name)) throw new TypeError(`startWorker: two agents are named "${agent.name}"`);
    agents.set(agent.name, agent);
  }

  const modelOptions = options.model ?? { apiKey: process.env.ANTHROPIC_API_KEY, baseURL: process.env.ANTHROPIC_BASE_URL };
  const governor = options.governor === false ? undefined : new Governor(redis, stores.keys, { apiKey: modelOptions.apiKey, ...options.governor });
  const model = new ModelClient(modelOptions);
  const settings = { ...DEFAULT_STEP_SETTINGS, ...options.step };
  const common: SharedDeps = {
    agents,
    model,
    governor,
    logger,
    workerId: id,
    scheduling: options.scheduling ?? 'fair',
    settings,
    shutdownSignal: shutdown.signal,
    tracing: options.tracing ?? false,
    mcp: agents.size > 0 && [...agents.values()].some((a) => a.mcpServers.length > 0) ? new McpConnections(logger) : undefined,
    // Their keys are the session's and the tenant's, never a shard's: one of each serves every shard.
    ledger: new BudgetLedger(redis, stores.keys),
    tenantBudgets: new TenantBudgets(redis, stores.keys),
    loopDetector: new LoopDetector(redis, stores.keys),
    breakers: new BreakerState(redis, stores.keys),
    // The loop guard runs first: a looping call is answered with a reflection, never approved nor run.
    // The risk gate runs before the breaker: a call waiting for a person must not take the breaker's trial.
    guards: [loopGuard(), new HumanInputGate(), new RiskGate(), new CircuitBreaker(), ...(options.guards ?? [])],
  };

  const metrics = new WorkerMetrics({ defaultLabels: { worker: id }, processMetrics: options.metricsPort !== undefined });
  const alerter = options.alerts ? new Alerter(options.alerts, logger) : undefined;
  // Every worker serves the queue gauges too (summed over the shards it consumes), so an autoscaler needs
  // neither the dashboard nor its token.
  let consumedQueues: () => Queue[] = () => [];
  registerQueueGauges(metrics.registry, () => consumedQueues());
  const eventLoop =
    options.metricsPort !== undefined
      ? new EventLoopHealth({ ...(options.maxEventLoopDelayMs !== undefined ? { maxDelayMs: options.maxEventLoopDelayMs } : {}) })
      : undefined;
  // Ready once every shard's BullMQ worker below runs (it took its queue) and while none is closing.
  let queuesTaken = () => false;
  const metricsServer =
    options.metricsPort !== undefined && eventLoop
      ? await startMetricsServer(metrics.registry, {
          port: options.metricsPort,
          probes: workerProbes(health, eventLoop, () => queuesTaken()),
          ...(options.metricsHost ? { host: options.metricsHost } : {}),
        })
      : undefined;

  if (options.tenants) await applyTenantSettings(new TenantControls(redis, stores.keys), options.tenants);
  // The agents this worker serves go into the queue's registry before it takes a job, so a producer can
  // refuse a session no worker can run; the entry is refreshed while the worker runs.
  const registry = new AgentRegistry(redis, stores.keys, queueName);
  await registry.publish(id, agents.values());
  const heartbeat = setInterval(() => {
    registry.publish(id, agents.values()).catch((error: unknown) => logger.warn({ err: error }, 'could not refresh the agent registry'));
  }, REGISTRY_HEARTBEAT_MS);
  heartbeat.unref();

  const reconciler = resolveReconcilerOptions(options.reconciler === false ? {} : options.reconciler);
  const pauseLimits: QueuePauseLimits = { ...DEFAULT_QUEUE_PAUSE_LIMITS, ...options.queuePause };
  let inFlight = 0;
  const shardSetup: ShardSetup = {
    redis,
    queueName,
    connection,
    prefix,
    common,
    batchOptions: resolveBatchLaneOptions(options.batch),
    settings,
    telemetry,
    reconciler: options.reconciler === false ? undefined : reconciler,
    workerOptions: {
      autorun: options.autorun ?? true,
      name: id,
      ...(telemetry ? { telemetry } : {}),
      lockDuration: options.lockDurationMs ?? 60_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 5,
      maxStartedAttempts: options.maxStartedAttempts ?? 1000,
    },
    run: async (deps, job, token) => {
      inFlight += 1;
      try {
        return await timedJob(deps, metrics, reconciler, pauseLimits, job, token);
      } finally {
        inFlight -= 1;
      }
    },
    onError: (what, err) => {
      // While Redis is away every fetch fails; the health watcher has said so once already.
      if (!health.isOutageError(err)) logger.error({ err }, what);
    },
    observe: (events) => {
      events.onEvent((event) => metrics.observe(event));
      alerter?.attach(events);
    },
  };
  // The process's concurrency is split over its shards' workers (sessions spread evenly over shards), so
  // the process never runs more steps at once than it was given: 10 over 3 shards is 4 + 3 + 3.
  const concurrency = options.concurrency ?? 10;
  const shards: ShardRuntime[] = [];
  for (const [i, shard] of consumed.entries()) {
    const share = Math.max(1, Math.floor(concurrency / consumed.length) + (i < concurrency % consumed.length ? 1 : 0));
    shards.push(await startShard(shard, { ...shardSetup, workerOptions: { ...shardSetup.workerOptions, concurrency: share } }));
  }
  const first = shards[0] as ShardRuntime;
  consumedQueues = () => shards.map((s) => s.queue);
  queuesTaken = () => shards.every((s) => s.worker.isRunning() && !s.worker.closing);

  let closing: Promise<void> | undefined;
  const closeAll = async (requestedForce: boolean) => {
    // With Redis away and nothing in flight there is nothing to drain, and a graceful close would wait for
    // Redis to come back (QUIT and BullMQ's own close queue behind the reconnect): close at once instead.
    const force = requestedForce || (health.isDown && inFlight === 0);
    const redisDown = health.isDown;
    health.stop();
    if (requestedForce) shutdown.abort(new Error('worker killed'));
    if (force && redisDown) {
      bullRedis.disconnect();
      if (ownsConnection) redis.disconnect();
    }
    clearInterval(heartbeat);
    await Promise.all(shards.map((s) => s.worker.close(force)));
    // With Redis away the entry cannot be removed (the command would wait for a reconnect that never comes);
    // without its heartbeat it goes stale on its own.
    if (!redisDown) await registry.unpublish(id, agents.keys()).catch(() => undefined);
    await Promise.all(shards.map((s) => s.queue.close()));
    await common.mcp?.close();
    if (force && redisDown) bullRedis.disconnect();
    else await bullRedis.quit().catch(() => bullRedis.disconnect());
    await alerter?.close(force ? 0 : undefined);
    await metricsServer?.close();
    eventLoop?.stop();
    if (ownsConnection) {
      if (force && redisDown) redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
    }
  };
  return {
    id,
    worker: first.worker,
    queue: first.queue,
    deps: first.deps,
    shards,
    metrics,
    metricsServer,
    alerter,
    health,
    close: () => (closing ??= closeAll(false)),
    kill: () => (closing ??= closeAll(true)),
  };
}

/** The queues a worker takes steps from, one per consumed shard: e.g. to sum a backlog across shards. */
export function workerQueues(worker: Pick<AgentqWorker, 'shards'>): Queue[] {
  return worker.shards.map((s) => s.queue);
}

/** The step deps every shard of a worker shares; each shard adds its stores, queue, scheduler and batch lane. */
type SharedDeps = Omit<StepDeps, 'stores' | 'queue' | 'scheduler' | 'batch'>;

interface ShardSetup {
  redis: Redis;
  /** The fleet's queue name (shard 0's when unsharded): tenant backlogs and running slots are counted under it. */
  queueName: string;
  connection: ConnectionOptions;
  prefix: string;
  common: SharedDeps;
  batchOptions: ReturnType<typeof resolveBatchLaneOptions>;
  settings: StepSettings;
  telemetry: BullMQOtel | undefined;
  /** The reconciler's schedule, or undefined to leave it alone. */
  reconciler: ResolvedReconcilerOptions | undefined;
  workerOptions: Omit<WorkerOptions, 'connection'>;
  run: (deps: StepDeps, job: Job, token?: string) => Promise<unknown>;
  onError: (what: string, err: Error) => void;
  observe: (events: StepDeps['stores']['events']) => void;
}

/**
 * Starts one shard: its queue, the stores whose global keys carry the shard's tag, its tenant scheduler and
 * batch lane, the reconciler's schedule on its queue, and the BullMQ worker taking its steps.
 */
async function startShard(shard: QueueShard, setup: ShardSetup): Promise<ShardRuntime> {
  const { redis, connection, common, telemetry } = setup;
  const stores = createStores(redis, setup.prefix, undefined, shard.tag);
  setup.observe(stores.events);
  const queue = new Queue(shard.queueName, { connection, ...(telemetry ? { telemetry } : {}) });
  // BullMQ prints an error event of a queue without a listener to stderr, whole stack and all.
  queue.on('error', (err) => setup.onError('queue error', err));
  const batch = new BatchLane(redis, stores.keys, queue, common.model.sdk, setup.batchOptions, setup.settings, common.logger);
  // Tenant backlogs and caps are fleet-wide, not per shard: a tenant capped at 2 runs 2 steps, not 2 per shard.
  const deps: StepDeps = { ...common, stores, queue, batch, scheduler: new TenantScheduler(redis, stores.keys, setup.queueName) };
  if (setup.reconciler) {
    // Every worker upserts the same scheduler id: each shard has one schedule, and the last start sets its period.
    await scheduleJob(queue, RECONCILER_SCHEDULER_ID, 'reconcile', {}, setup.reconciler.everyMs);
  }
  const worker = new Worker(shard.queueName, (job, token) => setup.run(deps, job, token), {
    connection,
    ...setup.workerOptions,
    // A manual queue.rateLimit() pauses every worker only when each carries a limiter; this one never binds.
    limiter: { ...WORKER_LIMITER },
    ...defaultJobRetention(),
  });
  worker.on('error', (err) => setup.onError('worker error', err));
  // Calls or batches left by a fleet that stopped get their flush and poll jobs back.
  await batch.resume();
  worker.on('failed', (job, err) => {
    common.logger.warn({ jobId: job?.id, err: err.message, attemptsMade: job?.attemptsMade }, 'job failed');
    failDeadStep(deps, job, err).catch((error: unknown) =>
      common.logger.error({ err: error, jobId: job?.id }, 'could not fail the session of a dead step job'),
    );
    if (job && job.name !== ('step' satisfies JobName))
      batch.afterJobFailed(job).catch((error: unknown) => common.logger.error({ err: error, jobId: job.id }, 'could not reschedule a batch-lane job'));
  });
  return { shard, queue, worker, deps };
}

async function applyTenantSettings(controls: TenantControls, tenants: Record<string, TenantSettings>): Promise<void> {
  for (const [tenant, settings] of Object.entries(tenants)) {
    if (settings.weight !== undefined) await controls.setWeight(tenant, settings.weight);
    if (settings.maxConcurrency !== undefined) await controls.setMaxConcurrency(tenant, settings.maxConcurrency);
    if (settings.share !== undefined) await controls.setShare(tenant, settings.share);
  }
}

async function timedJob(
  deps: StepDeps,
  metrics: WorkerMetrics,
  reconciler: ResolvedReconcilerOptions,
  pauseLimits: QueuePauseLimits,
  job: Job,
  token?: string,
): Promise<StepResult | 'ignored' | 'batch'> {
  if (job.name === ('reconcile' satisfies JobName)) {
    const report = await reconcileSessions(deps, reconciler);
    const repaired = report.requeued + report.resumed + report.timeoutsRestored + report.failed;
    if (repaired > 0) deps.logger.warn({ ...report }, 'reconciler repaired sessions');
    else deps.logger.debug({ ...report }, 'reconciler pass');
    return 'ignored';
  }
  const end = metrics.startStep();
  try {
    const result = await runJob(deps, pauseLimits, job, token);
    end(result);
    return result;
  } catch (error) {
    end(error instanceof Error && error.name === 'RateLimitError' ? 'rate_limited' : 'error');
    throw error;
  }
}

/**
 * What the worker does with each kind of the job catalog besides the step (run below, with its pause and
 * deferral handling) and the reconciler's pass (run in timedJob, outside the step metrics). A kind added to the
 * catalog without a handler here is a type error.
 */
const JOB_HANDLERS: Record<Exclude<JobName, 'step'>, (deps: StepDeps, job: Job) => Promise<StepResult | 'ignored' | 'batch'>> = {
  'approval-timeout': async (deps, job) => ((await handleApprovalTimeout(deps, job)) === 'timed_out' ? 'finished' : 'ignored'),
  'question-timeout': async (deps, job) => ((await handleQuestionTimeout(deps, job)) === 'timed_out' ? 'finished' : 'ignored'),
  'batch-flush': async (deps) => {
    if (!deps.batch) return 'ignored';
    await flushBatches(deps.batch);
    return 'batch';
  },
  'batch-poll': async (deps) => {
    if (!deps.batch) return 'ignored';
    await pollBatches(deps.batch);
    return 'batch';
  },
  // Runs in timedJob; a reconcile job never reaches runJob.
  reconcile: () => Promise.resolve('ignored'),
};

async function runJob(deps: StepDeps, pauseLimits: QueuePauseLimits, job: Job, _token?: string): Promise<StepResult | 'ignored' | 'batch'> {
  const kind = parseJob(job);
  if (!kind) {
    deps.logger.warn({ jobId: job.id, name: job.name }, 'unknown job name');
    return 'ignored';
  }
  if (kind.name !== 'step') return JOB_HANDLERS[kind.name](deps, job);
  try {
    return await processStep(deps, job);
  } catch (error) {
    if (error instanceof QueuePause) {
      // A provider 429 (the governor never pauses; it defers the one step): pause the whole queue, no worker
      // fetches until the pause ends, and this job returns to wait without using an attempt.
      // Every worker carries a `limiter`, so the limiter key holds them all (BullMQ's moveToActive checks it
      // before each fetch); the script only ever lengthens a pause, so a shorter 429 cannot cut a longer
      // retry-after short.
      // Clamped: a retry-after of a day must not hold the fleet a day, nor a negative one make a hot loop.
      const inForce = await pauseQueue(deps, error.pauseMs, pauseLimits);
      await deps.stores.events.append({
        sessionId: job.data.sessionId,
        step: job.data.step,
        type: 'rate_limit_pause',
        data: { waitMs: error.pauseMs, pauseMs: inForce, reason: error.reason, status: error.status, source: 'api' },
        jobId: job.id,
        workerId: deps.workerId,
      });
      deps.logger.warn({ jobId: job.id, waitMs: error.pauseMs, pauseMs: inForce, reason: error.reason, status: error.status }, 'queue paused for rate limit');
      throw Worker.RateLimitError();
    }
    throw error;
  }
}
