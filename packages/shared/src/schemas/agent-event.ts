import { z } from 'zod';
import { Risk } from '../define/risk.js';
import { ApprovalStatus } from './approval.js';
import { SessionError, SessionStatus } from './session.js';
import { Usage } from './usage.js';

/*
 * The events workers (and the producer) append to a session's stream, one data schema per type. This union is
 * the contract between the processes that write events and those that read them back (stats, replay,
 * metrics, alerts, the live stream): emitting a type with the wrong data is a type error, and reading goes
 * through one decoder (`decodeEvent`) that turns anything it does not recognise into an `unknown` event.
 *
 * Fields a reader needs are required; fields only some emitters send are optional, so that events written by
 * an older worker still decode.
 */

const ToolRef = { tool: z.string(), toolUseId: z.string() };
const Nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const SessionEnd = z.object({
  /** The final status; the producer's cancel writes none (its type says it). */
  status: SessionStatus.optional(),
  error: SessionError.optional(),
  reason: z.string().optional(),
  outputChars: z.number().optional(),
  steps: z.number().optional(),
  usage: Usage.optional(),
  durationMs: z.number().optional(),
  /** Set when the step job failed for good (its worker kept dying or its attempts ran out). */
  jobFailed: z.boolean().optional(),
});

const LoopData = z.object({
  kind: z.enum(['repeat', 'ping_pong', 'error_repeat']),
  ...ToolRef,
  signature: z.string(),
  input: z.string(),
  count: z.number(),
  strike: z.number(),
  strikes: z.number(),
});

/** Each event type with the schema of its `data`. */
export const EVENT_DATA = {
  session_started: z.object({
    agent: z.string(),
    tenant: z.string().nullable(),
    forkedFrom: z.object({ sessionId: z.string(), step: z.number() }).optional(),
  }),
  session_completed: SessionEnd,
  session_failed: SessionEnd,
  session_cancelled: SessionEnd,
  step_started: z.object({ attempt: z.number() }),
  step_stale: z.object({ reason: z.string(), status: SessionStatus.optional(), sessionStep: z.number().optional() }),
  step_deferred: z.object({ reason: z.string(), delayMs: z.number() }),
  model_call: z.object({
    model: z.string(),
    /** Set for a call made through the Message Batches lane. */
    lane: z.literal('batch').optional(),
    batchAttempt: z.number().optional(),
    latencyMs: z.number().optional(),
    stopReason: z.string().nullable().optional(),
    /** The call's tokens and cost; the 1-hour cache writes, when any, are also counted in `cacheWriteTokens`. */
    usage: Usage.extend({ cacheWrite1hTokens: z.number().optional() }),
    /** What the same call would have cost more made directly (batch lane). */
    savedUsd: z.number().optional(),
    requestId: Nullable(z.string()),
  }),
  model_error: z.object({
    model: z.string(),
    lane: z.literal('batch').optional(),
    batchAttempt: z.number().optional(),
    code: z.string(),
    status: Nullable(z.number()),
    reason: z.string().optional(),
    waitMs: Nullable(z.number()),
    message: z.string(),
    retryAfterMs: z.number().optional(),
  }),
  batch_parked: z.object({ customId: z.string(), attempt: z.number(), pending: z.number(), model: z.string() }),
  usage_clamped: z.object({ model: z.string(), sent: z.unknown(), counted: z.unknown(), requestId: Nullable(z.string()) }),
  rate_limit_pause: z.object({
    waitMs: z.number(),
    /** The pause in force after this one (a pause only ever lengthens). */
    pauseMs: z.number(),
    reason: z.string().optional(),
    status: Nullable(z.number()),
    source: z.enum(['api', 'governor']).optional(),
  }),
  governor_wait: z.object({
    waitMs: z.number().optional(),
    /** What older workers wrote instead of `waitMs`. */
    delayMs: z.number().optional(),
    reason: Nullable(z.string()),
    status: Nullable(z.number()),
    mode: z.enum(['defer', 'pause', 'inline']).optional(),
    model: z.string().optional(),
  }),
  summary_created: z.object({
    model: z.string(),
    foldedFrom: z.number(),
    foldedThrough: z.number(),
    messages: z.number(),
    summaryChars: z.number(),
    latencyMs: z.number().optional(),
    usage: Usage,
  }),
  summary_failed: z.object({ model: z.string(), code: z.string(), message: z.string(), droppedFrom: z.number(), droppedThrough: z.number() }),
  tool_call: z.object({ ...ToolRef, input: z.unknown(), risk: Risk, editedBy: z.string().optional() }),
  tool_result: z.object({
    ...ToolRef,
    isError: z.boolean(),
    errorCode: z.string().optional(),
    attempts: z.number().optional(),
    durationMs: z.number().optional(),
    /** The result text, cut short. */
    result: z.string().optional(),
    unrecordable: z.boolean().optional(),
    originalBytes: z.number().optional(),
    /** False when the call was answered without running (invalid input, unknown tool, a guard's answer); absent in older events, which were all of calls that ran. */
    ran: z.boolean().optional(),
    input: z.unknown().optional(),
    guard: z.string().optional(),
  }),
  tool_outcome_unknown: z.object(ToolRef),
  circuit_opened: z.object({ tool: z.string(), failures: z.number(), windowMs: z.number(), cooldownMs: z.number(), errorCode: z.string().optional() }),
  circuit_half_open: z.object(ToolRef),
  circuit_closed: z.object({ tool: z.string() }),
  loop_warning: LoopData,
  loop_detected: LoopData,
  budget_warning: z.object({ budget: z.string(), limit: z.number(), used: z.number(), ratio: z.number() }),
  /** The refused budget's details (code, limit, used and what it applies to). */
  budget_exceeded: z.looseObject({ limit: z.number().optional(), used: z.number().optional() }),
  approval_requested: z.object({
    approvalId: z.string(),
    ...ToolRef,
    risk: Risk,
    maxAutoRisk: Risk,
    reason: z.string().optional(),
    input: z.unknown(),
    requestedAt: z.number(),
    expiresAt: z.number(),
  }),
  approval_decided: z.object({
    approvalId: z.string(),
    ...ToolRef,
    decision: ApprovalStatus,
    by: z.string(),
    reason: z.string().nullable(),
    edited: z.boolean().optional(),
    editedInput: z.unknown().optional(),
    decidedAt: z.number().nullable(),
    remaining: z.number().optional(),
    resumed: z.boolean().optional(),
    /** Denied by the system because the session ended first. */
    dropped: z.boolean().optional(),
  }),
  input_requested: z.object({ toolUseId: z.string(), question: z.string(), askedAt: z.number(), expiresAt: z.number() }),
  input_received: z.object({ by: z.string(), chars: z.number(), kind: z.enum(['turn', 'answer']), toolUseId: z.string().optional(), resumed: z.boolean() }),
  job_invalid: z.object({ reason: z.string(), jobId: z.string().optional() }),
  /** What the reconciler did to a session with no live job behind it, and what it saw. */
  session_reconciled: z.looseObject({ action: z.string(), status: SessionStatus }),
  /** The session's limits that were looser than the agent's, each clamped to the agent's value. */
  limits_clamped: z.object({ fields: z.array(z.object({ field: z.string(), requested: z.unknown(), ceiling: z.unknown() })) }),
} as const;

type EventDataSchemas = typeof EVENT_DATA;
export type AgentEventType = keyof EventDataSchemas;
export const AgentEventType = z.enum(Object.keys(EVENT_DATA) as [AgentEventType, ...AgentEventType[]]);
/** The `data` of an event of type `T`. */
export type EventData<T extends AgentEventType> = z.infer<EventDataSchemas[T]>;

/** What every event carries besides its type and data. */
export const EventEnvelope = z.object({
  sessionId: z.string(),
  step: z.number().int().nonnegative(),
  timestamp: z.number(),
  jobId: z.string().optional(),
  workerId: z.string().optional(),
  /** The session's agent, so stats and metrics can group without a session lookup. */
  agent: z.string().optional(),
  /** The session's tenant, when it has one. */
  tenant: z.string().optional(),
  /** Stream entry id, set when read back. */
  id: z.string().optional(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

/** A type with its data, as an emitter writes it. */
export type EventBody = { [T in AgentEventType]: { type: T; data: EventData<T> } }[AgentEventType];

/** An event of a known type, its data checked against the type's schema. */
export type KnownAgentEvent = EventEnvelope & EventBody;

/**
 * An entry the decoder does not recognise: a type this version does not know (written by a newer worker) or
 * data that does not match its type's schema (written by an older one). Readers skip it; replay shows it.
 */
export type UnknownAgentEvent = EventEnvelope & { type: 'unknown'; originalType: string; data: Record<string, unknown> };

/** An event as read back from a session's stream or the global stream. */
export type AgentEvent = KnownAgentEvent | UnknownAgentEvent;

/** The zod discriminated union of every known event (envelope, `type`, `data`). */
export const KnownAgentEvent = z.discriminatedUnion(
  'type',
  // Built from EVENT_DATA so a new type needs one line; the cast restores the tuple type zod wants.
  (Object.keys(EVENT_DATA) as AgentEventType[]).map((type) => EventEnvelope.extend({ type: z.literal(type), data: EVENT_DATA[type] })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<AgentEventType> }>,
  ],
) as unknown as z.ZodType<KnownAgentEvent>;

/** Pairs a type with its data (the one place the correlation between the two is asserted). */
export function eventBody<T extends AgentEventType>(type: T, data: EventData<T>): EventBody {
  return { type, data } as EventBody;
}

/**
 * The one decoder of events: checks an event read back (or a raw object) against the union. Data keys the
 * schema does not list are kept, so a newer writer's extra fields still show in replay. Never throws.
 */
export function parseAgentEvent(raw: EventEnvelope & { type: string; data: Record<string, unknown> }): AgentEvent {
  const parsed = KnownAgentEvent.safeParse(raw);
  // The data as written, not as parsed: zod drops keys it does not list, nested ones too (usage's 1-hour cache writes).
  if (parsed.success) return { ...parsed.data, data: raw.data } as KnownAgentEvent;
  return { ...raw, type: 'unknown', originalType: raw.type };
}

/** An event of type `T`. */
export type AgentEventOf<T extends AgentEventType> = EventEnvelope & Extract<EventBody, { type: T }>;

/** A filter that narrows events to one type: `events.filter(isEventOf('model_call'))`. */
export function isEventOf<T extends AgentEventType>(type: T): (event: AgentEvent) => event is AgentEventOf<T> {
  return (event): event is AgentEventOf<T> => event.type === type;
}
