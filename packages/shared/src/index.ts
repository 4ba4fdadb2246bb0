/**
 * `@agentq/shared`: what agent authors, operators and both agentq processes share.
 *
 * Agent authors define agents and tools here and hand them to a worker (`@agentq/worker`) and a producer
 * (`@agentq/producer`):
 *
 * ```ts
 * import { defineAgent, defineTool } from '@agentq/shared';
 * import { z } from 'zod';
 *
 * const lookup = defineTool({ name: 'lookup', description: 'Find an order', input: z.object({ id: z.string() }), risk: 'safe', run: ({ id }) => ({ id }) });
 * export const support = defineAgent({ name: 'support', system: 'You help customers.', tools: [lookup] });
 * ```
 *
 * Also here: the event union (`AgentEvent`, `decodeEvent`, `isEventOf`), the job catalog (`JOB_CATALOG`,
 * `addJob`), session and limit schemas, errors (`AgentqError` and its codes), and the stores both processes
 * use over Redis. `@agentq/shared/testing` starts a throwaway `redis-server` for tests.
 */
export type { Redis } from './redis/create-redis.js';
export {
  approvalInput,
  ApprovalStore,
  type DecideOptions,
  type DecideResult,
  MAX_APPROVAL_INPUT_CHARS,
  MAX_DECISION_REASON_CHARS,
  type ParkResult,
  parseApproval,
} from './approvals/approval-store.js';
export { type ApprovalDecision, decideApproval, dropApprovals } from './approvals/decide-approval.js';
export { enqueueResume, type ResumeJobSettings } from './approvals/resume-session.js';
export { BUDGET_CODES, type BudgetCode, budgetError, isBudgetCode } from './budget/budget-code.js';
export { BudgetExceededError } from './budget/budget-exceeded-error.js';
export { type Admission, BudgetLedger, type CallEstimate, MIN_OUTPUT_TOKENS, RESERVATION_TTL_MS } from './budget/budget-ledger.js';
export { estimateInputTokens } from './budget/estimate-tokens.js';
export {
  BATCH_FACTOR,
  costMicroUsd,
  DEFAULT_PRICES,
  highestPrice,
  lookupPrice,
  type ModelPrice,
  priceFor,
  type PriceLookup,
  promptTokenCeiling,
  serverToolMicroUsd,
  type TokenCounts,
  WEB_SEARCH_MICRO_USD,
} from './budget/price-table.js';
export { BUDGET_WARNING_RATIO, budgetNote, type BudgetReading, nearBudgets, readSessionBudgets, spentSessionBudget } from './budget/session-budgets.js';
export { type TenantBudget, TenantBudgets, type TenantUsage } from './budget/tenant-budgets.js';
export { utcDay } from './budget/utc-day.js';
export { CommonEnv, redisTargetOf } from './config/common-env.js';
export { ENV } from './config/env-keys.js';
export { blankToUndefined, envBool, envInt, envNumber, envString, envUrl, parseEnv } from './config/parse-env.js';
export { type AwaitInputResult, QuestionStore, type SendResult } from './conversation/question-store.js';
export { ASK_HUMAN_TOOL, MAX_MESSAGE_CHARS, Question } from './conversation/question.js';
export { sendMessage, type SendOptions, type SendOutcome } from './conversation/send-message.js';
export { askHumanTool } from './define/ask-human.js';
export { type Agent, type AgentOptions, defineAgent } from './define/define-agent.js';
export {
  type BreakerSettings,
  DEFAULT_BREAKER,
  defineTool,
  isToolContent,
  type Tool,
  toolContent,
  type ToolContent,
  type ToolContext,
  type ToolOptions,
  type ToolOutput,
} from './define/define-tool.js';
export { checkMcpServers, type McpServerConfig, type McpToolOverride, type McpTransport } from './define/mcp-server.js';
export { EffortOption, OutputFormatOption, ServerToolOption, ServiceTierOption, ThinkingOption, ToolChoiceOption } from './define/model-options.js';
export { maxRisk, Risk, RISK_LEVELS, riskExceeds, riskRank } from './define/risk.js';
export { AgentqError, type AgentqErrorOptions } from './errors/agentq-error.js';
export { ErrorCode, shouldRetry } from './errors/error-codes.js';
export { isRedisUnavailable } from './errors/redis-unavailable.js';
export { serializeError, truncateText } from './errors/serialize-error.js';
export { ToolPermissionError } from './errors/tool-permission-error.js';
export { ToolRateLimitError } from './errors/tool-rate-limit-error.js';
export { ToolTimeoutError } from './errors/tool-timeout-error.js';
export { decodeDelta, DeltaChannel, type DeltaChannelOptions } from './events/delta-channel.js';
export { decodeEvent, type EventInput, EventLog, type EventLogOptions } from './events/event-log.js';
export { createLogger, type Logger, type LoggerOptions, REDACT_PATHS } from './logger/create-logger.js';
export { scrubSecrets } from './logger/scrub-secrets.js';
export { canonicalJson, sha256Hex } from './loop/canonical-json.js';
export { type LoopCall, LoopDetector, type LoopVerdict } from './loop/loop-detector.js';
export { LOOP_REFLECTIONS, type LoopKind, pingPongLength } from './loop/loop-kind.js';
export { toolSignature } from './loop/tool-signature.js';
export { addJob, addJobs, jobEntry, jobOptions, type JobPlacement, parseJob, scheduleJob } from './queue/add-job.js';
export { enqueueApprovalTimeout } from './queue/approval-timeout-jobs.js';
export { defaultJobRetention, type JobRetention, jobRetentionFor } from './queue/job-retention.js';
export { enqueueStep, stepJob, stepJobOptions, type StepJobSettings } from './queue/step-jobs.js';
export { WORKER_LIMITER } from './queue/worker-limiter.js';
export { parseShardList, type QueueShard, type QueueShardOptions, queueShards, shardCountFromEnv, shardOfSessionId, shardTag } from './queue/queue-shards.js';
export { type QueueBacklog, readRunnableBacklog, type RunnableBacklog } from './queue/runnable-backlog.js';
export { registerQueueGauges } from './queue/queue-gauges.js';
export { createRedis, isRedisTarget, openRedis, parseClusterNodes, type RedisConnection, type RedisTarget, redisTargetFromEnv } from './redis/create-redis.js';
export { AgentRegistry, describeAgent, type PublishedAgent, type RegisteredAgent, REGISTRY_HEARTBEAT_MS, REGISTRY_LIVE_MS } from './registry/agent-registry.js';
export { createStores, type Stores } from './runtime-context.js';
export {
  type AgentEvent,
  type AgentEventOf,
  AgentEventType,
  EVENT_DATA,
  eventBody,
  type EventBody,
  type EventData,
  EventEnvelope,
  isEventOf,
  KnownAgentEvent,
  parseAgentEvent,
  type UnknownAgentEvent,
} from './schemas/agent-event.js';
export { Approval, approvalIdFor, ApprovalStatus } from './schemas/approval.js';
export { DocumentInputBlock, ImageInputBlock, InputBlock, inputText, SessionInput, TextInputBlock } from './schemas/content-blocks.js';
export {
  ApprovalTimeoutJobData,
  approvalTimeoutJobId,
  BatchLaneJobData,
  JOB_CATALOG,
  type JobData,
  type JobKind,
  type JobName,
  type KeepPolicy,
  QuestionTimeoutJobData,
  questionTimeoutJobId,
  ReconcileJobData,
  RECONCILER_SCHEDULER_ID,
  type RetryPolicy,
  STEP_RETRY,
  StepJobData,
  stepJobId,
} from './schemas/job-catalog.js';
export { clampLimits, effectiveLimits, type LimitViolation, limitViolations } from './schemas/limit-ceilings.js';
export { DEFAULT_MODEL, DEFAULT_SUMMARY_MODEL, LIMIT_HARD_MAX, Limits, LimitsInput, LoopLimits, MemoryLimits, resolveLimits } from './schemas/limits.js';
export {
  type ChatMessage,
  type ContentBlock,
  type HistoryEntry,
  isToolResult,
  isToolUse,
  type TextBlock,
  textOf,
  type ToolResultBlock,
  type ToolUseBlock,
} from './schemas/messages.js';
export {
  isParked,
  isTerminal,
  PARKED_STATUSES,
  Session,
  SessionError,
  type SessionResult,
  SessionStatus,
  TERMINAL_STATUSES,
  toSessionResult,
  Urgency,
} from './schemas/session.js';
export { StartSessionInput } from './schemas/start-session.js';
export { MAX_JSON_DEPTH, unstorableJson } from './schemas/storable-json.js';
export { TextDelta } from './schemas/text-delta.js';
export { EMPTY_USAGE, Usage } from './schemas/usage.js';
export {
  applyRetention,
  DEFAULT_RETENTION,
  expireCommittedCheckpoint,
  type Retention,
  RetentionEnv,
  retentionFromEnv,
  sessionDataKeys,
} from './session/retention.js';
export { type HistoryWindow, parseSession, SessionStore } from './session/session-store.js';
export { MAX_TENANT_WEIGHT, TenantControls, type TenantSettings } from './tenants/tenant-controls.js';
export {
  DEFAULT_TENANT,
  MAX_BULLMQ_PRIORITY,
  RUNNING_LEASE_MS,
  type SchedulingMode,
  stepPriority,
  tenantOf,
  TenantScheduler,
  type TenantStepStart,
} from './tenants/tenant-scheduler.js';
