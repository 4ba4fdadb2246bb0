import type { Redis } from 'ioredis';
import { AgentqError } from '../errors/agentq-error.js';
import type { Keys } from '../redis/keys.js';
import { pipeScript, runScript } from '../redis/scripts.js';
import { LimitsInput } from '../schemas/limits.js';
import type { HistoryEntry } from '../schemas/messages.js';
import { isTerminal, type Session, SessionError, type SessionStatus, SessionStatus as SessionStatusSchema, Urgency as UrgencySchema } from '../schemas/session.js';
import { applyRetention, type Retention, retentionFromEnv } from './retention.js';

const MICRO = 1_000_000;

/** Reads and writes session records, history and checkpoints. Every state transition is one Lua script. */
export class SessionStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    /** Expiries applied when a session reaches a terminal state. @defaultValue from the environment, see retention.ts */
    readonly retention: Retention = retentionFromEnv(),
  ) {}

  /** Sets the expiries of a session that reached a terminal state (every terminal transition calls it). */
  async applyRetention(sessionId: string): Promise<void> {
    await applyRetention(this.redis, this.keys, sessionId, this.retention);
  }

  /** Creates the session unless it exists; returns false when it did (start is idempotent on sessionId). */
  async create(session: Session, initialHistory: HistoryEntry[] = []): Promise<boolean> {
    const [created] = await this.createMany([session], [initialHistory]);
    return created === true;
  }

  /** Creates many sessions in one round trip; element i tells whether session i was new. */
  async createMany(sessions: Session[], initialHistory: HistoryEntry[][] = []): Promise<boolean[]> {
    if (sessions.length === 0) return [];
    const pipeline = this.redis.pipeline();
    sessions.forEach((session, i) => {
      const record = Object.entries(toRecord(session)).flat();
      const history = (initialHistory[i] ?? []).map((e) => JSON.stringify(e));
      pipeScript(pipeline, 'createSession', [this.keys.session(session.sessionId), this.keys.history(session.sessionId)], [record.length, ...record, ...history]);
      pipeline.zadd(this.keys.sessionIndex(), 'NX', session.createdAt, session.sessionId);
    });
    const results = (await pipeline.exec()) ?? [];
    return sessions.map((_, i) => {
      const [err, value] = results[i * 2] ?? [new Error('no reply'), 0];
      if (err) throw err;
      return value === 1;
    });
  }

  async get(sessionId: string): Promise<Session | undefined> {
    const raw = await this.redis.hgetall(this.keys.session(sessionId));
    return parseSession(raw);
  }

  async getMany(sessionIds: string[]): Promise<Array<Session | undefined>> {
    if (sessionIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) pipeline.hgetall(this.keys.session(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, raw]) => (err ? undefined : parseSession(raw as Record<string, string>)));
  }

  /** Session ids, newest first. */
  async listIds(options: { limit?: number; offset?: number } = {}): Promise<string[]> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    return this.redis.zrevrange(this.keys.sessionIndex(), offset, offset + limit - 1);
  }

  async history(sessionId: string, fromIndex = 0): Promise<HistoryEntry[]> {
    const raw = await this.redis.lrange(this.keys.history(sessionId), fromIndex, -1);
    return raw.map((line) => JSON.parse(line) as HistoryEntry);
  }

  async appendHistory(sessionId: string, entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.rpush(this.keys.history(sessionId), ...entries.map((e) => JSON.stringify(e)));
  }

  /** Compare-and-set step n → n+1 with the step's messages. 1 committed, 0 stale, 2 cancelled at the boundary. */
  async commitStep(sessionId: string, step: number, entries: HistoryEntry[]): Promise<0 | 1 | 2> {
    const result = await runScript<0 | 1 | 2>(
      this.redis,
      'commitStep',
      [this.keys.session(sessionId), this.keys.history(sessionId), this.keys.checkpoint(sessionId, step)],
      // The committed checkpoint's expiry rides on the commit (one round trip, see commitStep-3.lua).
      [step, Date.now(), Math.max(0, this.retention.checkpointTtlMs), ...entries.map((e) => JSON.stringify(e))],
    );
    if (result === 2) await this.applyRetention(sessionId);
    return result;
  }

  /** Ends a session. `expectedStep` guards against a stale job finishing a session that moved on. */
  async finish(
    sessionId: string,
    options: {
      status: SessionStatus;
      expectedStep?: number;
      output?: string;
      error?: SessionError;
      recordStep?: number;
      entries?: HistoryEntry[];
    },
  ): Promise<boolean> {
    const result = await runScript<number>(
      this.redis,
      'finishSession',
      [this.keys.session(sessionId), this.keys.history(sessionId)],
      [
        options.expectedStep ?? -1,
        options.status,
        Date.now(),
        options.output ?? '',
        options.error ? JSON.stringify(options.error) : '',
        options.recordStep ?? -1,
        ...(options.entries ?? []).map((e) => JSON.stringify(e)),
      ],
    );
    if (result === 1) await this.applyRetention(sessionId);
    return result === 1;
  }

  /**
   * Remembers the id of a step job whose id is not the step's own (a resume `-a<n>` or a deferral `-d<t>`),
   * so `cancel` can find a delayed one without scanning the queue.
   */
  async noteJob(sessionId: string, jobId: string): Promise<void> {
    await this.redis.hset(this.keys.session(sessionId), 'jobId', jobId);
  }

  /** The job id last noted by {@link noteJob}. */
  async notedJob(sessionId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.session(sessionId), 'jobId')) ?? undefined;
  }

  /** Sets `to` when the status is one of `from`; returns the previous status or undefined. */
  async transition(sessionId: string, from: SessionStatus[], to: SessionStatus, expectedStep = -1): Promise<SessionStatus | undefined> {
    const previous = await runScript<string | null>(this.redis, 'transitionStatus', [this.keys.session(sessionId)], [
      to,
      Date.now(),
      expectedStep,
      ...from,
    ]);
    if (previous && isTerminal(to)) await this.applyRetention(sessionId);
    return previous ? (previous as SessionStatus) : undefined;
  }

  async requestCancel(sessionId: string): Promise<string | undefined> {
    const result = await runScript<string | null>(this.redis, 'requestCancel', [this.keys.session(sessionId)], [Date.now()]);
    // A parked session is cancelled at once: it is terminal now.
    if (result === 'cancelled') await this.applyRetention(sessionId);
    return result ?? undefined;
  }

  /** All checkpoint fields of one step. */
  async checkpoint(sessionId: string, step: number): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.checkpoint(sessionId, step));
  }

  /** Stores a checkpoint field once and returns whichever value won. */
  async putCheckpoint(sessionId: string, step: number, field: string, value: string): Promise<string> {
    const stored = await runScript<string | null>(this.redis, 'putIfAbsent', [this.keys.session(sessionId), this.keys.checkpoint(sessionId, step)], [field, value, 0]);
    if (stored === null) throw vanished(sessionId);
    return stored;
  }

  /** Overwrites a checkpoint field (for marks that may legitimately change, like an attempt counter). */
  async setCheckpoint(sessionId: string, step: number, field: string, value: string): Promise<void> {
    await this.redis.hset(this.keys.checkpoint(sessionId, step), field, value);
  }

  /**
   * Checkpoints a step's model response and counts its usage once, in one round trip (see
   * saveModelTurn-3.lua), with the step's events. Returns the response that is stored (the first writer's)
   * and whether this call counted.
   */
  async saveModelTurn(
    sessionId: string,
    step: number,
    fields: { response: string; value: string; usageGuard: string },
    usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costMicroUsd: number },
    events: CheckpointEvents = NO_EVENTS,
  ): Promise<{ stored: string; counted: boolean }> {
    const [stored, counted] = await runScript<[string | null, number]>(
      this.redis,
      'saveModelTurn',
      [this.keys.session(sessionId), this.keys.checkpoint(sessionId, step), this.keys.sessionEvents(sessionId)],
      [
        fields.response,
        fields.value,
        fields.usageGuard,
        usage.inputTokens,
        usage.outputTokens,
        usage.cacheReadTokens,
        usage.cacheWriteTokens,
        usage.costMicroUsd,
        ...eventArgs(events),
      ],
    );
    if (stored === null || counted === -1) throw vanished(sessionId);
    return { stored, counted: counted === 1 };
  }

  /**
   * Stores a checkpoint field once with the events that belong to it (see putCheckpointWithEvents-3.lua).
   * Returns the value that is stored (the first writer's) and whether this call stored it.
   */
  async putCheckpointWithEvents(sessionId: string, step: number, field: string, value: string, events: CheckpointEvents = NO_EVENTS): Promise<{ stored: string; written: boolean }> {
    const [stored, written] = await runScript<[string | null, number]>(
      this.redis,
      'putCheckpointWithEvents',
      [this.keys.session(sessionId), this.keys.checkpoint(sessionId, step), this.keys.sessionEvents(sessionId)],
      [field, value, ...eventArgs(events)],
    );
    if (stored === null || written === -1) throw vanished(sessionId);
    return { stored, written: written === 1 };
  }
}

/**
 * Events written by a checkpoint script, each as its stream fields (see EventLog's `encodeEvent`): `always`
 * are appended by any writer, `ifWritten` only by the writer whose value is stored. Both are also kept in the
 * checkpoint field `outboxField` until they are copied to the global stream.
 */
export interface CheckpointEvents {
  maxLen: number;
  outboxField: string;
  always: string[][];
  ifWritten: string[][];
}

/** Checkpoint fields holding events not yet copied to the global stream start with this. */
export const OUTBOX_FIELD_PREFIX = 'outbox:';

const NO_EVENTS: CheckpointEvents = { maxLen: 2000, outboxField: `${OUTBOX_FIELD_PREFIX}none`, always: [], ifWritten: [] };

function eventArgs(events: CheckpointEvents): Array<string | number> {
  return [events.maxLen, events.outboxField, JSON.stringify(events.always), JSON.stringify(events.ifWritten)];
}

/** A session record gone while its step ran: it expired, or Redis lost data (a restart without persistence). */
function vanished(sessionId: string): AgentqError {
  return new AgentqError('session_not_found', `session ${sessionId} vanished while its step ran: its record is gone from Redis (likely data loss: a restart without persistence, or eviction)`);
}

function int(value: string | undefined): number {
  return value === undefined ? 0 : Number.parseInt(value, 10) || 0;
}

export function parseSession(raw: Record<string, string> | null | undefined): Session | undefined {
  if (!raw || !raw.sessionId) return undefined;
  const session: Session = {
    sessionId: raw.sessionId,
    agent: raw.agent ?? '',
    status: SessionStatusSchema.parse(raw.status),
    step: int(raw.step),
    input: raw.input ?? '',
    metadata: raw.metadata ? (JSON.parse(raw.metadata) as Record<string, unknown>) : {},
    limits: LimitsInput.parse(raw.limits ? JSON.parse(raw.limits) : {}),
    createdAt: int(raw.createdAt),
    updatedAt: int(raw.updatedAt),
    usage: {
      inputTokens: int(raw.inputTokens),
      outputTokens: int(raw.outputTokens),
      cacheReadTokens: int(raw.cacheReadTokens),
      cacheWriteTokens: int(raw.cacheWriteTokens),
      costUsd: int(raw.costMicroUsd) / MICRO,
    },
  };
  if (raw.tenant) session.tenant = raw.tenant;
  if (raw.urgency) session.urgency = UrgencySchema.parse(raw.urgency);
  if (raw.output !== undefined) session.output = raw.output;
  if (raw.error) session.error = SessionError.parse(JSON.parse(raw.error));
  if (raw.cancelRequested === '1') session.cancelRequested = true;
  if (raw.forkedFrom) session.forkedFrom = JSON.parse(raw.forkedFrom) as Session['forkedFrom'];
  return session;
}

function toRecord(session: Session): Record<string, string> {
  const record: Record<string, string> = {
    sessionId: session.sessionId,
    agent: session.agent,
    status: session.status,
    step: String(session.step),
    input: session.input,
    metadata: JSON.stringify(session.metadata),
    limits: JSON.stringify(session.limits),
    createdAt: String(session.createdAt),
    updatedAt: String(session.updatedAt),
    inputTokens: String(session.usage.inputTokens),
    outputTokens: String(session.usage.outputTokens),
    cacheReadTokens: String(session.usage.cacheReadTokens),
    cacheWriteTokens: String(session.usage.cacheWriteTokens),
    costMicroUsd: String(Math.round(session.usage.costUsd * MICRO)),
  };
  if (session.tenant) record.tenant = session.tenant;
  if (session.urgency) record.urgency = session.urgency;
  if (session.forkedFrom) record.forkedFrom = JSON.stringify(session.forkedFrom);
  return record;
}
