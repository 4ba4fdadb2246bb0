import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import {
  type Agent,
  AgentRegistry,
  createLogger,
  defaultJobRetention,
  createRedis,
  createStores,
  envBool,
  type Logger,
  type Redis,
  RECONCILER_SCHEDULER_ID,
  REGISTRY_HEARTBEAT_MS,
  TenantControls,
  TenantScheduler,
  type SchedulingMode,
  type TenantSettings,
  WORKER_LIMITER,
} from '@agentq/shared';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { Alerter, type AlertOptions } from './alerts/alerter.js';
import { BATCH_FLUSH_JOB, BATCH_POLL_JOB, BatchLane } from './batch/batch-lane.js';
import { type BatchLaneOptions, resolveBatchLaneOptions } from './batch/batch-lane-options.js';
import { flushBatches } from './batch/flush-batches.js';
import { pollBatches } from './batch/poll-batches.js';
import { RedisHealth, warnUnsafeRedis } from './health/redis-health.js';
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
import { QueuePause } from './step/step-signals.js';
import { handleApprovalTimeout } from './tools/approval-timeout.js';
import { CircuitBreaker } from './tools/circuit-breaker.js';
import { McpConnections } from './mcp/mcp-connections.js';
import { HumanInputGate } from './tools/human-input-gate.js';
import { loopGuard } from './tools/loop-guard.js';
import { handleQuestionTimeout } from './tools/question-timeout.js';
import { RiskGate } from './tools/risk-gate.js';
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
  /**
   * Serve Prometheus metrics at `http://<metricsHost>:<port>/metrics`; 0 picks a free port (see `metricsServer.url`).
   * @defaultValue no server (the `agentq-worker` binary reads AGENTQ_METRICS_PORT)
   */
  metricsPort?: number;
  /** Interface the metrics server listens on; the metrics carry no auth, so open it deliberately. @defaultValue '127.0.0.1' (the binary reads AGENTQ_METRICS_HOST) */
  metricsHost?: string;
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

export interface AgentqWorker {
  readonly id: string;
  readonly worker: Worker;
  readonly queue: Queue;
  readonly deps: StepDeps;
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
    createLogger({ name: 'agentq-worker', level: process.env.AGENTQ_LOG_LEVEL ?? 'info', pretty: envBool().safeParse(process.env.AGENTQ_LOG_PRETTY).data ?? false });
  const ownsConnection = typeof options.connection !== 'object';
  const url = typeof options.connection === 'string' ? options.connection : (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  // Auto-pipelining: the many small commands that concurrent steps issue in one tick leave in one write, so a
  // step's ~15 round trips cost the worker far fewer syscalls (nothing on this connection blocks).
  const redis = typeof options.connection === 'object' ? options.connection : createRedis(url, { enableAutoPipelining: true });
  const queueName = options.queueName ?? 'agentq';
  const stores = createStores(redis, options.prefix ?? 'aq');
  // BullMQ gets a connection of its own: it defines ~75 scripts on its client, which makes every ioredis
  // pipeline on a shared connection copy them all (~100µs each); apart, agentq's pipelines stay cheap and
  // the step's writes and BullMQ's share two sockets instead of queueing on one.
  const bullRedis = redis.duplicate({ enableAutoPipelining: false });
  // ioredis reconnects by itself; the health watcher turns its error stream into one warn per outage (and an
  // error event without a listener would print "Unhandled error event").
  const health = new RedisHealth(logger).watch(redis, 'agentq').watch(bullRedis, 'bullmq');
  // Ready only once Redis answers: until then this waits (ioredis keeps reconnecting).
  await redis.ping();
  await warnUnsafeRedis(redis, logger);
  const connection = bullRedis as unknown as ConnectionOptions;
  const telemetry = options.tracing ? new BullMQOtel() : undefined;
  const queue = new Queue(queueName, { connection, ...(telemetry ? { telemetry } : {}) });
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
  const governor =
    options.governor === false ? undefined : new Governor(redis, stores.keys, { apiKey: modelOptions.apiKey, ...options.governor });
  const model = new ModelClient(modelOptions);
  const settings = { ...DEFAULT_STEP_SETTINGS, ...options.step };
  const batch = new BatchLane(redis, stores.keys, queue, model.sdk, resolveBatchLaneOptions(options.batch), settings, logger);
  const deps: StepDeps = {
    stores,
    queue,
    agents,
    model,
    batch,
    governor,
    logger,
    workerId: id,
    scheduler: new TenantScheduler(redis, stores.keys, queueName),
    scheduling: options.scheduling ?? 'fair',
    settings,
    shutdownSignal: shutdown.signal,
    tracing: options.tracing ?? false,
    mcp: agents.size > 0 && [...agents.values()].some((a) => a.mcpServers.length > 0) ? new McpConnections(logger) : undefined,
    // The loop guard runs first: a looping call is answered with a reflection, never approved nor run.
    // The risk gate runs before the breaker: a call waiting for a person must not take the breaker's trial.
    guards: [loopGuard(), new HumanInputGate(), new RiskGate(), new CircuitBreaker(), ...(options.guards ?? [])],
  };

  const metrics = new WorkerMetrics({ defaultLabels: { worker: id }, processMetrics: options.metricsPort !== undefined });
  stores.events.onEvent((event) => metrics.observe(event));
  const alerter = options.alerts ? new Alerter(options.alerts, logger).attach(stores.events) : undefined;
  const metricsServer = options.metricsPort !== undefined ? await startMetricsServer(metrics.registry, { port: options.metricsPort, health: () => health.state(), ...(options.metricsHost ? { host: options.metricsHost } : {}) }) : undefined;

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
  if (options.reconciler !== false) {
    // Every worker upserts the same scheduler id: the fleet has one schedule, and the last start sets its period.
    await queue.upsertJobScheduler(RECONCILER_SCHEDULER_ID, { every: reconciler.everyMs }, { name: 'reconcile', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
  }

  const pauseLimits: QueuePauseLimits = { ...DEFAULT_QUEUE_PAUSE_LIMITS, ...options.queuePause };
  let inFlight = 0;
  const run = async (job: Job, token?: string) => {
    inFlight += 1;
    try {
      return await timedJob(deps, metrics, reconciler, pauseLimits, job, token);
    } finally {
      inFlight -= 1;
    }
  };
  const worker = new Worker(queueName, run, {
    connection,
    concurrency: options.concurrency ?? 10,
    autorun: options.autorun ?? true,
    name: id,
    ...(telemetry ? { telemetry } : {}),
    lockDuration: options.lockDurationMs ?? 60_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 5,
    maxStartedAttempts: options.maxStartedAttempts ?? 1000,
    // A manual queue.rateLimit() pauses every worker only when each carries a limiter; this one never binds.
    limiter: { ...WORKER_LIMITER },
    ...defaultJobRetention(),
  });
  // BullMQ prints an error event of a queue without a listener to stderr, whole stack and all.
  queue.on('error', (err) => {
    if (!health.isOutageError(err)) logger.error({ err }, 'queue error');
  });
  worker.on('error', (err) => {
    // While Redis is away every fetch fails; the health watcher has said so once already.
    if (!health.isOutageError(err)) logger.error({ err }, 'worker error');
  });
  // Calls or batches left by a fleet that stopped get their flush and poll jobs back.
  await batch.resume();
  worker.on('failed', (job, err) => {
    logger.warn({ jobId: job?.id, err: err.message, attemptsMade: job?.attemptsMade }, 'job failed');
    failDeadStep(deps, job, err).catch((error: unknown) => logger.error({ err: error, jobId: job?.id }, 'could not fail the session of a dead step job'));
    if (job && job.name !== 'step') batch.afterJobFailed(job).catch((error: unknown) => logger.error({ err: error, jobId: job.id }, 'could not reschedule a batch-lane job'));
  });

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
    await worker.close(force);
    // With Redis away the entry cannot be removed (the command would wait for a reconnect that never comes);
    // without its heartbeat it goes stale on its own.
    if (!redisDown) await registry.unpublish(id, agents.keys()).catch(() => undefined);
    await queue.close();
    await deps.mcp?.close();
    if (force && redisDown) bullRedis.disconnect();
    else await bullRedis.quit().catch(() => bullRedis.disconnect());
    await alerter?.close(force ? 0 : undefined);
    await metricsServer?.close();
    if (ownsConnection) {
      if (force && redisDown) redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
    }
  };
  return {
    id,
    worker,
    queue,
    deps,
    metrics,
    metricsServer,
    alerter,
    health,
    close: () => (closing ??= closeAll(false)),
    kill: () => (closing ??= closeAll(true)),
  };
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
  if (job.name === 'reconcile') {
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

async function runJob(deps: StepDeps, pauseLimits: QueuePauseLimits, job: Job, _token?: string): Promise<StepResult | 'ignored' | 'batch'> {
  if (job.name === 'approval-timeout') return (await handleApprovalTimeout(deps, job)) === 'timed_out' ? 'finished' : 'ignored';
  if (job.name === 'question-timeout') return (await handleQuestionTimeout(deps, job)) === 'timed_out' ? 'finished' : 'ignored';
  if (job.name === BATCH_FLUSH_JOB && deps.batch) {
    await flushBatches(deps.batch);
    return 'batch';
  }
  if (job.name === BATCH_POLL_JOB && deps.batch) {
    await pollBatches(deps.batch);
    return 'batch';
  }
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
      // Every worker carries a `limiter`, so the limiter key holds them all (BullMQ's moveToActive checks it
      // before each fetch); the script only ever lengthens a pause, so a short governor pause cannot cut a
      // 429's retry-after short.
      // Clamped: a retry-after of a day must not hold the fleet a day, nor a negative one make a hot loop.
      const inForce = await pauseQueue(deps, error.pauseMs, pauseLimits);
      const source = error.status === undefined ? 'governor' : 'api';
      await deps.stores.events.append({
        sessionId: job.data.sessionId,
        step: job.data.step,
        type: 'rate_limit_pause',
        data: { waitMs: error.pauseMs, pauseMs: inForce, reason: error.reason, status: error.status ?? null, source },
        jobId: job.id,
        workerId: deps.workerId,
      });
      deps.logger.warn({ jobId: job.id, waitMs: error.pauseMs, pauseMs: inForce, reason: error.reason, status: error.status, source }, 'queue paused for rate limit');
      throw Worker.RateLimitError();
    }
    throw error;
  }
}
