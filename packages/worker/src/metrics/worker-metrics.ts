import type { AgentEvent } from '@agentq/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; a step spans one model call plus its tools, so the buckets reach minutes. */
const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const MODEL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
const TOOL_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface WorkerMetricsOptions {
  /** Labels set on every series of this registry, e.g. `{ worker: id }`. @defaultValue {} */
  defaultLabels?: Record<string, string>;
  /** Also export Node.js process metrics (CPU, memory, event-loop lag) with the `agentq_worker_` prefix. @defaultValue true */
  processMetrics?: boolean;
}

/**
 * The worker's Prometheus series. Events the worker appends feed the counters (through
 * `EventLog.onEvent`); the step timer wraps each job. Each worker gets its own registry, so several
 * workers in one process do not collide.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly stepDuration: Histogram<'result'>;
  private readonly stepsActive: Gauge;
  private readonly modelDuration: Histogram<'model'>;
  private readonly modelTokens: Counter<'model' | 'kind'>;
  private readonly modelCost: Counter<'model'>;
  private readonly modelErrors: Counter<'model' | 'code'>;
  private readonly toolCalls: Counter<'tool'>;
  private readonly toolErrors: Counter<'tool' | 'code'>;
  private readonly toolDuration: Histogram<'tool'>;
  private readonly toolRetries: Counter<'tool'>;
  private readonly sessionsFinished: Counter<'agent' | 'status'>;
  private readonly loops: Counter<'agent' | 'kind'>;
  private readonly budgetStops: Counter<'agent' | 'code'>;
  private readonly rateLimitPauses: Counter<'source'>;
  private readonly rateLimitPauseSeconds: Counter<'source'>;
  private readonly governorWaits: Counter;
  private readonly governorWaitSeconds: Counter;
  private readonly approvalsRequested: Counter<'agent' | 'tool'>;
  private readonly approvalsDecided: Counter<'decision'>;
  private readonly events: Counter<'type'>;

  constructor(options: WorkerMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'agentq_worker_' });
    this.stepDuration = new Histogram({
      name: 'agentq_step_duration_seconds',
      help: 'Wall time of one step job, by how it ended (advanced, completed, finished, parked, deferred, stale, cancelled, rate_limited, error).',
      labelNames: ['result'],
      buckets: STEP_BUCKETS,
      registers,
    });
    this.stepsActive = new Gauge({ name: 'agentq_steps_active', help: 'Steps running now in this worker.', registers });
    this.modelDuration = new Histogram({
      name: 'agentq_model_call_duration_seconds',
      help: 'Latency of successful model calls.',
      labelNames: ['model'],
      buckets: MODEL_BUCKETS,
      registers,
    });
    this.modelTokens = new Counter({
      name: 'agentq_model_tokens_total',
      help: 'Tokens used by model calls, by kind (input, output, cache_read, cache_write).',
      labelNames: ['model', 'kind'],
      registers,
    });
    this.modelCost = new Counter({
      name: 'agentq_model_cost_usd_total',
      help: 'Cost of model calls in USD, from the price table.',
      labelNames: ['model'],
      registers,
    });
    this.modelErrors = new Counter({ name: 'agentq_model_errors_total', help: 'Failed model calls by error code.', labelNames: ['model', 'code'], registers });
    this.toolCalls = new Counter({
      name: 'agentq_tool_calls_total',
      help: 'Tool calls answered (run or answered without running).',
      labelNames: ['tool'],
      registers,
    });
    this.toolErrors = new Counter({
      name: 'agentq_tool_errors_total',
      help: 'Tool calls that ended in an error result, by error code.',
      labelNames: ['tool', 'code'],
      registers,
    });
    this.toolDuration = new Histogram({
      name: 'agentq_tool_duration_seconds',
      help: 'Duration of tool calls that ran, retries included.',
      labelNames: ['tool'],
      buckets: TOOL_BUCKETS,
      registers,
    });
    this.toolRetries = new Counter({ name: 'agentq_tool_retries_total', help: 'Extra tool attempts after a failure.', labelNames: ['tool'], registers });
    this.sessionsFinished = new Counter({
      name: 'agentq_sessions_finished_total',
      help: 'Sessions that reached a terminal status in this worker.',
      labelNames: ['agent', 'status'],
      registers,
    });
    this.loops = new Counter({
      name: 'agentq_loops_total',
      help: 'Loop detector hits: kind="warning" (reflection returned) or "detected" (session ended).',
      labelNames: ['agent', 'kind'],
      registers,
    });
    this.budgetStops = new Counter({
      name: 'agentq_budget_stops_total',
      help: 'Sessions ended by a budget, by budget code.',
      labelNames: ['agent', 'code'],
      registers,
    });
    this.rateLimitPauses = new Counter({
      name: 'agentq_rate_limit_pauses_total',
      help: 'Queue-wide pauses after a model 429 (source="api"; the governor defers single steps and never pauses the queue).',
      labelNames: ['source'],
      registers,
    });
    this.rateLimitPauseSeconds = new Counter({
      name: 'agentq_rate_limit_pause_seconds_total',
      help: 'Total length of queue-wide rate-limit pauses.',
      labelNames: ['source'],
      registers,
    });
    this.governorWaits = new Counter({ name: 'agentq_governor_waits_total', help: 'Model calls the rate-limit governor held back.', registers });
    this.governorWaitSeconds = new Counter({ name: 'agentq_governor_wait_seconds_total', help: 'Total time the governor held model calls back.', registers });
    this.approvalsRequested = new Counter({
      name: 'agentq_approvals_requested_total',
      help: 'Tool calls parked for a human decision.',
      labelNames: ['agent', 'tool'],
      registers,
    });
    this.approvalsDecided = new Counter({
      name: 'agentq_approvals_decided_total',
      help: 'Approval decisions seen by this worker.',
      labelNames: ['decision'],
      registers,
    });
    this.events = new Counter({ name: 'agentq_events_total', help: 'Events appended by this worker, by type.', labelNames: ['type'], registers });
  }

  /** Times one step job; call the returned function with how it ended. */
  startStep(): (result: string) => void {
    this.stepsActive.inc();
    const end = this.stepDuration.startTimer();
    let done = false;
    return (result) => {
      if (done) return;
      done = true;
      this.stepsActive.dec();
      end({ result });
    };
  }

  /** Feeds one event into the counters; unknown shapes are counted by type only. */
  observe(event: AgentEvent): void {
    const agent = event.agent ?? 'unknown';
    this.events.inc({ type: event.type === 'unknown' ? event.originalType : event.type });
    switch (event.type) {
      case 'model_call': {
        const { model, usage, latencyMs } = event.data;
        if (latencyMs !== undefined) this.modelDuration.observe({ model }, latencyMs / 1000);
        for (const [kind, field] of [
          ['input', 'inputTokens'],
          ['output', 'outputTokens'],
          ['cache_read', 'cacheReadTokens'],
          ['cache_write', 'cacheWriteTokens'],
        ] as const) {
          if (usage[field] > 0) this.modelTokens.inc({ model, kind }, usage[field]);
        }
        if (usage.costUsd > 0) this.modelCost.inc({ model }, usage.costUsd);
        break;
      }
      case 'model_error':
        this.modelErrors.inc({ model: str(event.data.model), code: str(event.data.code) });
        break;
      case 'tool_result': {
        const d = event.data;
        const tool = str(d.tool);
        this.toolCalls.inc({ tool });
        if (d.isError) this.toolErrors.inc({ tool, code: str(d.errorCode) });
        if (d.ran !== false && d.durationMs !== undefined) this.toolDuration.observe({ tool }, d.durationMs / 1000);
        const attempts = d.attempts ?? 0;
        if (attempts > 1) this.toolRetries.inc({ tool }, attempts - 1);
        break;
      }
      case 'session_completed':
      case 'session_failed':
      case 'session_cancelled': {
        const { status, error } = event.data;
        this.sessionsFinished.inc({ agent, status: str(status, event.type.replace('session_', '')) });
        if (status === 'budget_exceeded') this.budgetStops.inc({ agent, code: str(error?.code) });
        // counted at the session's end, which happens once, whichever guard detected the loop
        if (status === 'loop_detected') this.loops.inc({ agent, kind: 'detected' });
        break;
      }
      case 'loop_warning':
        this.loops.inc({ agent, kind: 'warning' });
        break;
      case 'rate_limit_pause':
        this.rateLimitPauses.inc({ source: event.data.source ?? 'api' });
        this.rateLimitPauseSeconds.inc({ source: event.data.source ?? 'api' }, event.data.pauseMs / 1000);
        break;
      case 'governor_wait':
        this.governorWaits.inc();
        this.governorWaitSeconds.inc((event.data.waitMs ?? event.data.delayMs ?? 0) / 1000);
        break;
      case 'approval_requested':
        this.approvalsRequested.inc({ agent, tool: str(event.data.tool) });
        break;
      case 'approval_decided':
        this.approvalsDecided.inc({ decision: event.data.decision });
        break;
      default:
        break;
    }
  }

  /** The exposition text, as `/metrics` serves it. */
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

function str(value: string | undefined, fallback = 'unknown'): string {
  return value !== undefined && value !== '' ? value : fallback;
}
