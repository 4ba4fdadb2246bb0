import {
  type Agent,
  type BudgetLedger,
  type Logger,
  type LoopDetector,
  type ModelPrice,
  type SchedulingMode,
  STEP_RETRY,
  type Stores,
  type TenantBudgets,
  type TenantScheduler,
} from '@agentq/shared';
import type { Queue } from 'bullmq';
import type { BatchLane } from '../batch/batch-lane.js';
import type { Governor } from '../governor/governor.js';
import type { McpConnections } from '../mcp/mcp-connections.js';
import type { ModelClient } from '../model/model-client.js';
import type { BreakerState } from '../tools/breaker-state.js';
import type { ToolGuard } from '../tools/tool-guard.js';

/** Everything a step needs, built once per worker process. */
export interface StepDeps {
  stores: Stores;
  queue: Queue;
  agents: ReadonlyMap<string, Agent>;
  model: ModelClient;
  logger: Logger;
  workerId: string;
  settings: StepSettings;
  /** Aborted when the worker shuts down hard; tools see it through `ctx.signal`. */
  shutdownSignal: AbortSignal;
  /** Checks every tool call passes through before it runs, in order. */
  guards: ToolGuard[];
  /** Tenant backlogs, running slots and the priorities of the steps this worker queues. */
  scheduler: TenantScheduler;
  /** Admits, reserves and settles every model call against the session's and the tenant's budgets. */
  ledger: BudgetLedger;
  /** Tenants' daily budgets and usage, read at the start of each step. */
  tenantBudgets: TenantBudgets;
  /** The fleet-wide loop detector the loop guard checks and records tool calls with. */
  loopDetector: LoopDetector;
  /** The tools' fleet-wide circuit breakers the breaker guard checks and records calls with. */
  breakers: BreakerState;
  /** `fifo` queues steps without priorities (the pre-tenant baseline). */
  scheduling: SchedulingMode;
  /** Fleet-wide rate-limit governor every model call (step turns and summaries) goes through; absent = off. */
  governor?: Governor | undefined;
  /** Connections to the agents' MCP servers, one per server per process; absent = no agent uses MCP. */
  mcp?: McpConnections | undefined;
  /** This queue's Message Batches lane, for sessions with `urgency: 'batch'` (`startWorker` always builds one). */
  batch?: BatchLane | undefined;
  /** Steps, model calls and tool calls open OpenTelemetry spans (docs/tracing.md). @defaultValue false */
  tracing?: boolean | undefined;
}

export interface StepSettings {
  /** Attempts of one step job before the session fails. @defaultValue 5 */
  stepAttempts: number;
  /** Base of the exponential backoff between step attempts, in ms. @defaultValue 1000 */
  stepBackoffMs: number;
  /** Tool rate-limit waits up to this long happen in place; longer ones delay the step job. @defaultValue 5000 */
  maxInlineToolWaitMs: number;
  /**
   * A tool result longer than this (UTF-8 bytes) is cut before it is stored, with a note of what was cut.
   * @defaultValue 100000
   */
  maxToolResultBytes: number;
  /**
   * Prices per model-name prefix (USD per million tokens) for cost budgets and usage, replacing the built-in
   * table for the prefixes given. @defaultValue DEFAULT_PRICES of @agentq/shared
   */
  prices?: Record<string, ModelPrice>;
  /**
   * A model with no price in the table: `highest` charges it the table's highest rate of every kind (a
   * budget never under-counts) and logs a warning; `refuse` ends the session `model_unpriced` before the call.
   * @defaultValue 'highest'
   */
  unknownModels?: 'highest' | 'refuse';
}

export const DEFAULT_STEP_SETTINGS: StepSettings = {
  stepAttempts: STEP_RETRY.attempts,
  stepBackoffMs: STEP_RETRY.backoffMs,
  maxInlineToolWaitMs: 5000,
  maxToolResultBytes: 100_000,
};
