import type { Redis } from 'ioredis';
import { AgentqError } from '../errors/agentq-error.js';
import type { Keys } from '../redis/keys.js';
import { type LoopTurnRequest, type LoopVerdict, loopVerdicts } from '../loop/loop-detector.js';
import { runScript } from '../redis/scripts.js';
import { calibrationField, calibrationValue } from './token-calibration.js';

/**
 * The step checkpoint: one hash per session step holding everything that makes the step effectively-once (the
 * model's response and its usage guard, each tool call's result and claim, the budget day and notice, the
 * summary, the batch lane's marks, the event outbox). This module owns every field name
 * of it and every read and write; nothing else names a field, so the hash's layout is read in one place.
 */

/** A model call of a step: its own call, the refusal fallback, the context-window refit, a summary fold. */
export type ModelCall = 'model' | 'fallback' | 'refit' | 'summary' | 'summary-refit';

const MODEL_CALL_FIELD: Record<ModelCall, string> = {
  model: 'model',
  fallback: 'model:fallback',
  refit: 'model:refit',
  summary: 'summary',
  'summary-refit': 'summary:refit',
};

const FIELD = {
  budgetDay: 'budget:day',
  budgetNote: 'budget:note',
  batchAttempt: 'batch:attempt',
  batchResult: 'batch:result',
} as const;

const usageGuardField = (call: ModelCall) => `usage:${MODEL_CALL_FIELD[call]}`;
const toolResultField = (toolUseId: string) => `tool:${toolUseId}`;
const toolStartedField = (toolUseId: string) => `started:${toolUseId}`;
const toolDeferredField = (toolUseId: string) => `deferred-attempts:${toolUseId}`;

/** Checkpoint fields holding events not yet copied to the global stream start with this. */
const OUTBOX_FIELD_PREFIX = 'outbox:';

/** The id a model call's tenant reservation is kept under; stable across attempts of the step. */
export function modelCallId(sessionId: string, step: number, call: ModelCall = 'model'): string {
  return `${sessionId}:${step}:${MODEL_CALL_FIELD[call]}`;
}

/** A step's checkpoint as read: typed accessors over the hash's fields. */
export class StepCheckpoint {
  static readonly EMPTY = new StepCheckpoint({});

  constructor(private readonly fields: Readonly<Record<string, string>>) {}

  /** The stored response (JSON) of a model call of the step. */
  modelResponse(call: ModelCall = 'model'): string | undefined {
    return this.fields[MODEL_CALL_FIELD[call]];
  }

  /** The stored outcome (JSON) of a tool call. */
  toolResult(toolUseId: string): string | undefined {
    return this.fields[toolResultField(toolUseId)];
  }

  /** Whether an attempt claimed a non-idempotent call before running it. */
  toolStarted(toolUseId: string): boolean {
    return this.fields[toolStartedField(toolUseId)] !== undefined;
  }

  /** Attempts a rate-limited tool used before its step was deferred. */
  toolDeferredAttempts(toolUseId: string): number {
    return Number(this.fields[toolDeferredField(toolUseId)] ?? 0);
  }

  /** The UTC day the step's tenant reservation was made in. */
  get budgetDay(): string | undefined {
    return this.fields[FIELD.budgetDay];
  }

  /** The budget notice the step sent with its model call. */
  get budgetNote(): string | undefined {
    return this.fields[FIELD.budgetNote];
  }

  /** The batch-lane attempt the step waits for. */
  get batchAttempt(): number {
    return Number(this.fields[FIELD.batchAttempt] ?? 0);
  }

  /** The batch-lane result delivered to the step (JSON). */
  get batchResult(): string | undefined {
    return this.fields[FIELD.batchResult];
  }

  /** Outbox fields: events a checkpoint script wrote that may not have reached the global stream yet. */
  outbox(): Array<{ field: string; encoded: string }> {
    const pending: Array<{ field: string; encoded: string }> = [];
    for (const field in this.fields) if (field.startsWith(OUTBOX_FIELD_PREFIX)) pending.push({ field, encoded: this.fields[field] as string });
    return pending;
  }
}

/**
 * Events written by a checkpoint script, each as its stream fields (see EventLog's `encodeEvent`): `always`
 * are appended by any writer, `ifWritten` only by the writer whose value is stored. Both are also kept in the
 * checkpoint field `outboxField` until they are copied to the global stream.
 */
export interface CheckpointEvents {
  maxLen: number;
  /** From {@link outboxField}: unique per write, so copying it twice appends its events once. */
  outboxField: string;
  always: string[][];
  ifWritten: string[][];
}

/** The outbox field of one checkpoint write, named by a write id unique to the step's attempt. */
export function outboxField(writeId: string): string {
  return `${OUTBOX_FIELD_PREFIX}${writeId}`;
}

const NO_EVENTS: CheckpointEvents = { maxLen: 2000, outboxField: outboxField('none'), always: [], ifWritten: [] };

/** Usage counted once with a model call's checkpoint. */
export interface CheckpointUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costMicroUsd: number;
}

/** Every read and write of step checkpoint hashes. */
export class StepCheckpointStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  async read(sessionId: string, step: number): Promise<StepCheckpoint> {
    return new StepCheckpoint(await this.redis.hgetall(this.keys.checkpoint(sessionId, step)));
  }

  /** Pins the UTC day of the step's tenant reservation once; returns the pinned day. */
  async pinBudgetDay(sessionId: string, step: number, day: string): Promise<string> {
    return this.putIfAbsent(sessionId, step, FIELD.budgetDay, day);
  }

  async setBudgetNote(sessionId: string, step: number, text: string): Promise<void> {
    await this.redis.hset(this.keys.checkpoint(sessionId, step), FIELD.budgetNote, text);
  }

  /** Setting (not incrementing) the attempt makes a duplicate run of the step park the same next call. */
  async setBatchAttempt(sessionId: string, step: number, attempt: number): Promise<void> {
    await this.redis.hset(this.keys.checkpoint(sessionId, step), FIELD.batchAttempt, String(attempt));
  }

  async setBatchResult(sessionId: string, step: number, delivered: string): Promise<void> {
    await this.redis.hset(this.keys.checkpoint(sessionId, step), FIELD.batchResult, delivered);
  }

  /**
   * A rate-limited tool did nothing: its claim goes (the deferred re-run must run it, not report its outcome
   * unknown) and the attempts it used carry over, in one write.
   */
  async deferTool(sessionId: string, step: number, toolUseId: string, attempts: number): Promise<void> {
    const key = this.keys.checkpoint(sessionId, step);
    await this.redis.multi().hdel(key, toolStartedField(toolUseId)).hset(key, toolDeferredField(toolUseId), String(attempts)).exec();
  }

  /** Clears outbox fields whose events reached the global stream. */
  async clearOutbox(sessionId: string, step: number, fields: readonly string[]): Promise<void> {
    if (fields.length === 0) return;
    const wrong = fields.find((field) => !field.startsWith(OUTBOX_FIELD_PREFIX));
    if (wrong !== undefined) throw new AgentqError('internal', `"${wrong}" is not an outbox field of the step checkpoint`);
    await this.redis.hdel(this.keys.checkpoint(sessionId, step), ...fields);
  }

  /**
   * Checkpoints a model call's response and counts its usage once, in one round trip (see
   * saveModelTurn-5.lua), with the step's events. Returns the response that is stored (the first writer's)
   * and whether this call counted. With `promptEstimate` (a windowed step's own call), the writer that counts
   * also leaves the next step its token calibration (see token-calibration.ts). With `loop`, the script also
   * runs the loop check of the response's tool calls when this response is the one stored, and returns its
   * verdicts; `loop` is undefined in the result when it did not run (a response stored before is kept).
   */
  async saveModelCall(
    sessionId: string,
    step: number,
    call: ModelCall,
    response: string,
    usage: CheckpointUsage,
    events: CheckpointEvents = NO_EVENTS,
    options: { promptEstimate?: number | undefined; loop?: LoopTurnRequest | undefined } = {},
  ): Promise<{ stored: string; counted: boolean; loop?: LoopVerdict[] }> {
    const { promptEstimate, loop } = options;
    const reported = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    const calibration = promptEstimate !== undefined ? [calibrationField(step), calibrationValue(step, { estimate: promptEstimate, reported })] : ['', ''];
    const [stored, counted, loopReply] = await runScript<[string | null, number, Array<string | number> | undefined]>(
      this.redis,
      'saveModelTurn',
      [
        this.keys.session(sessionId),
        this.keys.checkpoint(sessionId, step),
        this.keys.sessionEvents(sessionId),
        this.keys.memory(sessionId),
        this.keys.loopState(sessionId),
      ],
      [
        MODEL_CALL_FIELD[call],
        response,
        usageGuardField(call),
        usage.inputTokens,
        usage.outputTokens,
        usage.cacheReadTokens,
        usage.cacheWriteTokens,
        usage.costMicroUsd,
        ...eventArgs(events),
        ...calibration,
        ...(loop?.args ?? []),
      ],
    );
    if (stored === null || counted === -1) throw vanished(sessionId);
    return { stored, counted: counted === 1, ...(loop && loopReply && loopReply.length > 0 ? { loop: loopVerdicts(loop, loopReply) } : {}) };
  }

  /** Stores a tool call's outcome once with its events; returns the stored outcome and whether this call stored it. */
  async saveToolResult(
    sessionId: string,
    step: number,
    toolUseId: string,
    outcome: string,
    events: CheckpointEvents = NO_EVENTS,
  ): Promise<{ stored: string; written: boolean }> {
    return this.putWithEvents(sessionId, step, toolResultField(toolUseId), outcome, events);
  }

  /**
   * Claims a non-idempotent call before it runs, with its `tool_call` event: of two attempts, the one whose
   * token is stored runs it.
   */
  async claimTool(
    sessionId: string,
    step: number,
    toolUseId: string,
    token: string,
    events: CheckpointEvents = NO_EVENTS,
  ): Promise<{ stored: string; written: boolean }> {
    return this.putWithEvents(sessionId, step, toolStartedField(toolUseId), token, events);
  }

  private async putIfAbsent(sessionId: string, step: number, field: string, value: string): Promise<string> {
    const stored = await runScript<string | null>(
      this.redis,
      'putIfAbsent',
      [this.keys.session(sessionId), this.keys.checkpoint(sessionId, step)],
      [field, value, 0],
    );
    if (stored === null) throw vanished(sessionId);
    return stored;
  }

  /** See putCheckpointWithEvents-3.lua. */
  private async putWithEvents(
    sessionId: string,
    step: number,
    field: string,
    value: string,
    events: CheckpointEvents,
  ): Promise<{ stored: string; written: boolean }> {
    const [stored, written] = await runScript<[string | null, number]>(
      this.redis,
      'putCheckpointWithEvents',
      [this.keys.session(sessionId), this.keys.checkpoint(sessionId, step), this.keys.sessionEvents(sessionId)],
      [field, value, ...eventArgs(events), MODEL_CALL_FIELD.model],
    );
    if (stored === null || written === -1) throw vanished(sessionId);
    return { stored, written: written === 1 };
  }
}

function eventArgs(events: CheckpointEvents): Array<string | number> {
  return [events.maxLen, events.outboxField, JSON.stringify(events.always), JSON.stringify(events.ifWritten)];
}

/** A session record gone while its step ran: it expired, or Redis lost data (a restart without persistence). */
export function vanished(sessionId: string): AgentqError {
  return new AgentqError(
    'session_not_found',
    `session ${sessionId} vanished while its step ran: its record is gone from Redis (likely data loss: a restart without persistence, or eviction)`,
  );
}
