/**
 * `@agentq/worker`: runs one agent step per BullMQ job.
 *
 * ```ts
 * import { startWorker } from '@agentq/worker';
 * import { support } from './agents.js';
 *
 * const worker = await startWorker({ agents: [support], connection: process.env.REDIS_URL });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 *
 * Also exported: the model client and error classification, the tool-guard interface (`ToolGuard`,
 * `GuardContext`, `GuardDecision`) and the built-in guards, the governor, metrics, alerts, the batch lane and
 * tracing, for operators who assemble a worker themselves.
 */
export { alertForEvent } from './alerts/alert-for-event.js';
export { type Alert } from './alerts/alert.js';
export { Alerter, type AlertOptions } from './alerts/alerter.js';
export { FailureRateMonitor, type FailureRateOptions } from './alerts/failure-rate-monitor.js';
export { type SlackPayload, toSlackPayload } from './alerts/slack-payload.js';
export { WebhookSender, type WebhookSenderOptions, type WebhookSenderStats } from './alerts/webhook-sender.js';
export type { ProbeReport, Probes } from './health/worker-probes.js';
export { DEFAULT_QUEUE_PAUSE_LIMITS, type QueuePauseLimits } from './queue/queue-pause.js';
export { batchCustomId } from './batch/batch-custom-id.js';
export { type BatchLaneOptions, resolveBatchLaneOptions } from './batch/batch-lane-options.js';
export { type BatchCall, BatchLane } from './batch/batch-lane.js';
export { BATCH_PRICE_FACTOR, batchCost } from './batch/batch-price.js';
export { flushBatches } from './batch/flush-batches.js';
export { pollBatches } from './batch/poll-batches.js';
export { readWorkerEnv, WorkerEnv } from './config/worker-env.js';
export { governorBucketId } from './governor/bucket-id.js';
export { estimateInputTokens } from '@agentq/shared';
export { governedCreate, type GovernedCreateOptions } from './governor/governed-create.js';
export { DEFAULT_MAX_INLINE_WAIT_MS, type GovernorLimits, type GovernorOptions } from './governor/governor-options.js';
export {
  type AcquireRequest,
  type AcquireResult,
  Governor,
  type GovernorReason,
  type Permit,
  type SettleOutcome,
  type SettleUsage,
} from './governor/governor.js';
export { modelFamily } from './governor/model-family.js';
export { parseRateLimitHeaders, type ReportedBucket, type ReportedLimits } from './governor/rate-limit-headers.js';
export { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
export { WorkerMetrics, type WorkerMetricsOptions } from './metrics/worker-metrics.js';
export { classifyModelError, type ModelErrorClass, readRetryAfter } from './model/classify-model-error.js';
export { type ModelCallResult, ModelClient, type ModelClientOptions } from './model/model-client.js';
export { type AgentqWorker, type ShardRuntime, startWorker, type StartWorkerOptions, workerQueues } from './start-worker.js';
export { processStep, type StepResult } from './step/process-step.js';
export { type StepDeps, type StepSettings } from './step/step-deps.js';
export { type BreakerCheck, type BreakerRecord, BreakerState } from './tools/breaker-state.js';
export { CircuitBreaker, type CircuitBreakerOptions } from './tools/circuit-breaker.js';
export { type GuardContext } from './tools/guard-context.js';
export { loopGuard } from './tools/loop-guard.js';
export { denialText, effectiveRisk, RiskGate } from './tools/risk-gate.js';
export { runTool } from './tools/run-tool.js';
export { type GuardDecision, type ToolCall, type ToolGuard } from './tools/tool-guard.js';
export { type ToolOutcome } from './tools/tool-outcome.js';
export { AGENTQ, GEN_AI, PROVIDER } from './tracing/gen-ai-attributes.js';
export { inSpan, recordError } from './tracing/in-span.js';
export { formatTraceparent, parseTraceparent, sessionTraceContext, TRACEPARENT_FIELD } from './tracing/session-trace.js';
export { startTracing, tracesExporterOf, type Tracing, type TracingEnv } from './tracing/start-tracing.js';
export { type ChatTraceInfo, traceChat } from './tracing/trace-chat.js';
export { type StepTraceInfo, traceStep } from './tracing/trace-step.js';
export { type ToolTraceInfo, traceTool } from './tracing/trace-tool.js';
export { agentqTracer } from './tracing/tracer.js';
