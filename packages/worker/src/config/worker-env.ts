import { blankToUndefined, CommonEnv, ENV, envInt, envNumber, envString, envUrl, MAX_TENANT_WEIGHT, parseEnv } from '@agentq/shared';
import { z } from 'zod';

const rate = z.number().nonnegative();
const RateSchema = z.strictObject({
  input: rate,
  output: rate,
  cacheWrite5m: rate.optional(),
  cacheWrite1h: rate.optional(),
  cacheRead: rate.optional(),
  batchFactor: z.number().gt(0).max(1).optional(),
});
const ModelPriceSchema = RateSchema.extend({ longPrompt: z.strictObject({ aboveTokens: z.number().int().positive(), price: RateSchema }).optional() });

/** Environment of a worker process, validated once at start-up. */
export const WorkerEnv = CommonEnv.extend({
  [ENV.CONCURRENCY]: envInt(1),
  /** The queue shards this worker takes steps from, e.g. `0,2` (checked against AGENTQ_QUEUE_SHARDS at start-up). */
  [ENV.WORKER_SHARDS]: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be shard numbers separated by commas, e.g. 0,2')
      .optional(),
  ),
  [ENV.LOCK_DURATION_MS]: envInt(1000),
  [ENV.STALLED_INTERVAL_MS]: envInt(1000),
  [ENV.MAX_STALLED_COUNT]: envInt(0),
  [ENV.STEP_ATTEMPTS]: envInt(1),
  [ENV.STEP_BACKOFF_MS]: envInt(0),
  [ENV.MAX_STARTED_ATTEMPTS]: envInt(1),
  [ENV.MODEL_TIMEOUT_MS]: envInt(1000),
  [ENV.MAX_TOOL_RESULT_BYTES]: envInt(1000),
  [ENV.SHUTDOWN_GRACE_MS]: envInt(0),
  [ENV.METRICS_PORT]: envInt(0),
  [ENV.MAX_QUEUE_PAUSE_MS]: envInt(1000),
  // Liveness (/healthz) fails when the event loop was stuck longer than this.
  [ENV.MAX_EVENT_LOOP_DELAY_MS]: envInt(100),
  /** Interface of the metrics server; 127.0.0.1 unless set (e.g. 0.0.0.0 for a Prometheus scraping the pod). */
  [ENV.METRICS_HOST]: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
  [ENV.ALERT_FAILURE_RATE]: envNumber().pipe(z.number().min(0).max(1).optional()),
  [ENV.ALERT_FAILURE_WINDOW_MS]: envInt(1000),
  [ENV.ALERT_FAILURE_MIN_SESSIONS]: envInt(1),
  // Rate limits per minute the governor holds the fleet to (the lower of these and the API's headers).
  [ENV.RPM_LIMIT]: envNumber().pipe(z.number().positive().optional()),
  [ENV.ITPM_LIMIT]: envNumber().pipe(z.number().positive().optional()),
  [ENV.OTPM_LIMIT]: envNumber().pipe(z.number().positive().optional()),
  // The batch lane: most calls per Message Batch, longest wait for a batch to fill, poll interval.
  [ENV.BATCH_MAX_SIZE]: envInt(1).pipe(z.number().max(5000).optional()),
  [ENV.BATCH_MAX_AGE_MS]: envInt(1),
  [ENV.BATCH_POLL_MS]: envInt(1),
  // Tenants: the default rate-limit share of every tenant, and per-tenant settings written to Redis at start-up.
  [ENV.SCHEDULING]: z.preprocess(blankToUndefined, z.enum(['fair', 'fifo']).optional()),
  [ENV.TENANT_SHARE]: envNumber().pipe(z.number().gt(0).max(1).optional()),
  [ENV.TENANT_SHARES]: envTenantMap(z.number().gt(0).max(1)),
  [ENV.TENANT_WEIGHTS]: envTenantMap(z.number().gt(0).max(MAX_TENANT_WEIGHT)),
  [ENV.TENANT_MAX_CONCURRENCY]: envTenantMap(z.number().int().positive()),
  // Prices (USD per million tokens) laid over the built-in table, as JSON: {"model-id": {"input": 3, "output": 15}}.
  [ENV.PRICES]: z.preprocess(
    (v) => {
      const s = blankToUndefined(v);
      if (typeof s !== 'string') return s;
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    },
    z.record(z.string().min(1), ModelPriceSchema, 'must be a JSON object of model id → {"input": n, "output": n, ...}').optional(),
  ),
  // A model with no price: charge the highest known rate (with a warning), or refuse the call.
  [ENV.UNKNOWN_MODELS]: z.preprocess(blankToUndefined, z.enum(['highest', 'refuse']).default('highest')),
  // OpenTelemetry tracing is off unless one of these asks for it (docs/tracing.md).
  [ENV.OTEL_TRACES_EXPORTER]: envString().pipe(
    z.enum(['otlp', 'console', 'none'], { error: `${ENV.OTEL_TRACES_EXPORTER} must be otlp, console or none` }).optional(),
  ),
  [ENV.OTEL_EXPORTER_OTLP_ENDPOINT]: envUrl(),
  [ENV.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT]: envUrl(),
  [ENV.OTEL_SERVICE_NAME]: envString(),
});
/** `acme=2,beta=0.5`: one number per tenant, each checked by `value`. */
function envTenantMap(value: z.ZodNumber) {
  return z.preprocess(
    (raw) => {
      const v = blankToUndefined(raw);
      if (typeof v !== 'string') return v;
      return Object.fromEntries(
        v.split(',').map((pair) => {
          const [tenant = '', number = ''] = pair.split('=').map((p) => p.trim());
          return [tenant, number === '' ? Number.NaN : Number(number)];
        }),
      );
    },
    z
      .record(z.string().regex(/^[^=,\s]{1,128}$/, 'tenant names may not hold "=", "," or spaces'), value, {
        error: 'must be tenant=number pairs separated by commas',
      })
      .optional(),
  );
}

export type WorkerEnv = z.infer<typeof WorkerEnv>;

export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseEnv(WorkerEnv, env);
}
