#!/usr/bin/env node
import { AgentqError, createLogger, ENV, parseShardList, redisTargetOf, type TenantSettings } from '@agentq/shared';
import { Command, InvalidArgumentError } from 'commander';
import { loadAgentsModule } from '../config/agents-module.js';
import { readWorkerEnv, WorkerEnv } from '../config/worker-env.js';
import { startWorker } from '../start-worker.js';
import { startTracing } from '../tracing/start-tracing.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

const program = new Command()
  .name('agentq-worker')
  .description('Run agentq agent steps from the queue. SIGTERM/SIGINT drain in-flight steps; a second signal exits at once.')
  .requiredOption('--agents <module>', 'ES module file (resolved against the current directory) whose default export is an array of agents')
  .option('--concurrency <n>', 'steps run at once by this process', positiveInt)
  .option('--queue <name>', 'queue name (env AGENTQ_QUEUE)')
  .option('--shards <list>', 'take steps only from these queue shards, e.g. 0,2 (env AGENTQ_WORKER_SHARDS; default every shard of AGENTQ_QUEUE_SHARDS)')
  .option('--metrics-host <host>', 'interface of the metrics server (env AGENTQ_METRICS_HOST; default 127.0.0.1)')
  .showHelpAfterError()
  .addHelpText('after', `\nEnvironment variables read (README "Configuration" says what each means):\n  ${Object.keys(WorkerEnv.shape).join('\n  ')}`);
program.parse();
const opts = program.opts<{ agents: string; concurrency?: number; queue?: string; shards?: string; metricsHost?: string }>();

let env;
try {
  env = readWorkerEnv();
} catch (error) {
  process.stderr.write(`agentq-worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const logger = createLogger({ name: 'agentq-worker', level: env.AGENTQ_LOG_LEVEL, pretty: env.AGENTQ_LOG_PRETTY ?? false });

if (!env.ANTHROPIC_API_KEY && !env.ANTHROPIC_BASE_URL) {
  logger.fatal('ANTHROPIC_API_KEY is not set (set it, or ANTHROPIC_BASE_URL to a compatible server such as mock-anthropic)');
  process.exit(2);
}

const loaded = await loadAgentsModule(opts.agents);
if (!loaded.ok) {
  process.stderr.write(`agentq-worker: ${loaded.message}\n`);
  process.exit(2);
}
const agents = loaded.agents;

let consumeShards: number[];
try {
  consumeShards = parseShardList(opts.shards ?? env.AGENTQ_WORKER_SHARDS, env.AGENTQ_QUEUE_SHARDS);
} catch (error) {
  process.stderr.write(`agentq-worker: --shards / ${ENV.WORKER_SHARDS}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

function tenantSettingsFromEnv(e: WorkerEnv): Record<string, TenantSettings> {
  const out: Record<string, TenantSettings> = {};
  const put = (map: Record<string, number> | undefined, field: keyof TenantSettings) => {
    for (const [tenant, value] of Object.entries(map ?? {})) out[tenant] = { ...out[tenant], [field]: value };
  };
  put(e.AGENTQ_TENANT_WEIGHTS, 'weight');
  put(e.AGENTQ_TENANT_MAX_CONCURRENCY, 'maxConcurrency');
  put(e.AGENTQ_TENANT_SHARES, 'share');
  return out;
}

// Before the worker starts, so its first spans have a provider; off (and no provider registered) unless configured.
const tracing = startTracing(env);
const worker = await startWorker({
  agents,
  tracing: tracing !== undefined,
  connection: redisTargetOf(env),
  shards: env.AGENTQ_QUEUE_SHARDS,
  consumeShards,
  queueName: opts.queue ?? env.AGENTQ_QUEUE,
  prefix: env.AGENTQ_PREFIX,
  concurrency: opts.concurrency ?? env.AGENTQ_CONCURRENCY ?? 10,
  logger,
  model: {
    apiKey: env.ANTHROPIC_API_KEY ?? 'mock',
    baseURL: env.ANTHROPIC_BASE_URL,
    ...(env.AGENTQ_MODEL_TIMEOUT_MS ? { timeoutMs: env.AGENTQ_MODEL_TIMEOUT_MS } : {}),
  },
  ...(env.AGENTQ_LOCK_DURATION_MS ? { lockDurationMs: env.AGENTQ_LOCK_DURATION_MS } : {}),
  ...(env.AGENTQ_STALLED_INTERVAL_MS ? { stalledIntervalMs: env.AGENTQ_STALLED_INTERVAL_MS } : {}),
  ...(env.AGENTQ_MAX_STALLED_COUNT !== undefined ? { maxStalledCount: env.AGENTQ_MAX_STALLED_COUNT } : {}),
  ...(env.AGENTQ_MAX_STARTED_ATTEMPTS ? { maxStartedAttempts: env.AGENTQ_MAX_STARTED_ATTEMPTS } : {}),
  step: {
    ...(env.AGENTQ_STEP_ATTEMPTS ? { stepAttempts: env.AGENTQ_STEP_ATTEMPTS } : {}),
    ...(env.AGENTQ_STEP_BACKOFF_MS !== undefined ? { stepBackoffMs: env.AGENTQ_STEP_BACKOFF_MS } : {}),
    ...(env.AGENTQ_MAX_TOOL_RESULT_BYTES ? { maxToolResultBytes: env.AGENTQ_MAX_TOOL_RESULT_BYTES } : {}),
    ...(env.AGENTQ_PRICES ? { prices: env.AGENTQ_PRICES } : {}),
    unknownModels: env.AGENTQ_UNKNOWN_MODELS,
  },
  ...(env.AGENTQ_METRICS_PORT !== undefined ? { metricsPort: env.AGENTQ_METRICS_PORT } : {}),
  ...(env.AGENTQ_MAX_EVENT_LOOP_DELAY_MS !== undefined ? { maxEventLoopDelayMs: env.AGENTQ_MAX_EVENT_LOOP_DELAY_MS } : {}),
  batch: {
    ...(env.AGENTQ_BATCH_MAX_SIZE ? { maxBatchSize: env.AGENTQ_BATCH_MAX_SIZE } : {}),
    ...(env.AGENTQ_BATCH_MAX_AGE_MS ? { maxAgeMs: env.AGENTQ_BATCH_MAX_AGE_MS } : {}),
    ...(env.AGENTQ_BATCH_POLL_MS ? { pollIntervalMs: env.AGENTQ_BATCH_POLL_MS } : {}),
  },
  ...((opts.metricsHost ?? env.AGENTQ_METRICS_HOST) !== undefined ? { metricsHost: opts.metricsHost ?? env.AGENTQ_METRICS_HOST } : {}),
  ...(env.AGENTQ_MAX_QUEUE_PAUSE_MS !== undefined ? { queuePause: { maxQueuePauseMs: env.AGENTQ_MAX_QUEUE_PAUSE_MS } } : {}),
  governor: {
    apiKey: env.ANTHROPIC_API_KEY ?? 'mock',
    limits: { requestsPerMinute: env.AGENTQ_RPM_LIMIT, inputTokensPerMinute: env.AGENTQ_ITPM_LIMIT, outputTokensPerMinute: env.AGENTQ_OTPM_LIMIT },
    ...(env.AGENTQ_TENANT_SHARE !== undefined ? { tenantShare: env.AGENTQ_TENANT_SHARE } : {}),
  },
  tenants: tenantSettingsFromEnv(env),
  ...(env.AGENTQ_SCHEDULING ? { scheduling: env.AGENTQ_SCHEDULING } : {}),
  ...(env.AGENTQ_ALERT_WEBHOOK_URL
    ? {
        alerts: {
          webhookUrl: env.AGENTQ_ALERT_WEBHOOK_URL,
          failureRate: {
            ...(env.AGENTQ_ALERT_FAILURE_RATE !== undefined ? { threshold: env.AGENTQ_ALERT_FAILURE_RATE } : {}),
            ...(env.AGENTQ_ALERT_FAILURE_WINDOW_MS !== undefined ? { windowMs: env.AGENTQ_ALERT_FAILURE_WINDOW_MS } : {}),
            ...(env.AGENTQ_ALERT_FAILURE_MIN_SESSIONS !== undefined ? { minSessions: env.AGENTQ_ALERT_FAILURE_MIN_SESSIONS } : {}),
          },
        },
      }
    : {}),
});
logger.info({ workerId: worker.id, agents: agents.map((a) => a.name), queues: worker.shards.map((s) => s.queue.name) }, 'worker started');
process.stdout.write(`${JSON.stringify({ ready: true, workerId: worker.id })}\n`);

const graceMs = env.AGENTQ_SHUTDOWN_GRACE_MS ?? 60_000;
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    logger.warn({ signal }, 'second signal: exiting now; in-flight steps return through stall detection');
    process.exit(1);
  }
  logger.info({ signal, graceMs }, 'draining: finishing in-flight steps, taking no new ones');
  const timer = setTimeout(() => {
    logger.warn('grace period over: exiting with steps still in flight');
    process.exit(1);
  }, graceMs);
  timer.unref();
  worker
    .close()
    .then(() => tracing?.shutdown())
    .then(() => {
      logger.info('worker stopped');
      process.exit(0);
    })
    .catch((error: unknown) => {
      logger.error({ err: error }, 'error while closing');
      process.exit(1);
    });
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
process.on('unhandledRejection', (reason) => {
  logger.error({ err: AgentqError.isInstance(reason) ? reason.message : reason }, 'unhandled rejection');
});
