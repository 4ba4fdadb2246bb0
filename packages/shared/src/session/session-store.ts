import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { pipelineBySlot } from '../redis/by-slot.js';
import { pipeScript, rerunNoScript, runScript, type ScriptName } from '../redis/scripts.js';
import { LimitsInput } from '../schemas/limits.js';
import type { ChatMessage, HistoryEntry } from '../schemas/messages.js';
import {
  isTerminal,
  type Session,
  SessionError,
  type SessionStatus,
  SessionStatus as SessionStatusSchema,
  Urgency as UrgencySchema,
} from '../schemas/session.js';
import { parseHistoryLines } from './history-line.js';
import { applyRetention, committedCheckpointTtl, type Retention, retentionFromEnv } from './retention.js';
import { StepCheckpointStore } from './step-checkpoint.js';

const MICRO = 1_000_000;

/** What a step loads of a session's history (see {@link SessionStore.historyWindow}). */
export interface HistoryWindow {
  /** `history[0]` (the pinned task), then `history[offset + 1]` onwards. */
  entries: HistoryEntry[];
  /** Entries `1..offset` were not read: the rolling summary holds them. 0: the whole history. */
  offset: number;
  /** The rolling-summary hash (`keys.memory`) as read with the entries, when it was (a windowed session's step). */
  memory?: Record<string, string>;
  /** The JSON length of each entry's message, from its stored line (see history-line.ts). */
  messageChars: ReadonlyMap<ChatMessage, number>;
}

/** Reads and writes session records and history; step checkpoints through {@link SessionStore.checkpoints}. Every state transition is one Lua script. */
export class SessionStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    /** Expiries applied when a session reaches a terminal state. @defaultValue from the environment, see retention.ts */
    readonly retention: Retention = retentionFromEnv(),
  ) {
    this.checkpoints = new StepCheckpointStore(redis, keys);
  }

  /** The step checkpoint hashes of sessions (see step-checkpoint.ts: the one owner of their fields). */
  readonly checkpoints: StepCheckpointStore;

  /** Sets the expiries of a session that reached a terminal state (every terminal transition calls it). */
  async applyRetention(sessionId: string): Promise<void> {
    await applyRetention(this.redis, this.keys, sessionId, this.retention);
  }

  /** Creates the session unless it exists; returns false when it did (start is idempotent on sessionId). */
  async create(session: Session, initialHistory: HistoryEntry[] = []): Promise<boolean> {
    const [created] = await this.createMany([session], [initialHistory]);
    return created === true;
  }

  /**
   * Creates many sessions in one round trip; element i tells whether session i was new. The sessions go
   * into this store's session index (its shard's): a producer calls it once per shard.
   */
  async createMany(sessions: Session[], initialHistory: HistoryEntry[][] = []): Promise<boolean[]> {
    if (sessions.length === 0) return [];
    const items = sessions.map((session, i) => ({ session, history: initialHistory[i] ?? [] }));
    // Each session's script runs in its own slot; the index is one key (NX: a re-start adds nothing).
    const index = this.redis.pipeline();
    for (const session of sessions) index.zadd(this.keys.sessionIndex(), 'NX', session.createdAt, session.sessionId);
    const script: ScriptName = 'createSession';
    const createArgs = ({ session, history }: (typeof items)[number]): [string[], Array<string | number>] => {
      const record = Object.entries(toRecord(session)).flat();
      return [
        [this.keys.session(session.sessionId), this.keys.history(session.sessionId)],
        [record.length, ...record, ...history.map((e) => JSON.stringify(e))],
      ];
    };
    const [results] = await Promise.all([
      pipelineBySlot<(typeof items)[number], number>(
        this.redis,
        items,
        ({ session }) => this.keys.session(session.sessionId),
        (pipeline, item) => pipeScript(pipeline, script, ...createArgs(item)),
      ),
      index.exec(),
    ]);
    const replies = await rerunNoScript(this.redis, script, results, (i) => createArgs(items[i] as (typeof items)[number]));
    return replies.map(([err, value]) => {
      if (err) throw err;
      return value === 1;
    });
  }

  async get(sessionId: string): Promise<Session | undefined> {
    const raw = await this.redis.hgetall(this.keys.session(sessionId));
    return parseSession(raw);
  }

  async getMany(sessionIds: string[]): Promise<Array<Session | undefined>> {
    const results = await pipelineBySlot<string, Record<string, string>>(
      this.redis,
      sessionIds,
      (id) => this.keys.session(id),
      (pipeline, id) => pipeline.hgetall(this.keys.session(id)),
    );
    return results.map(([err, raw]) => (err ? undefined : parseSession(raw)));
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

  /**
   * What a step loads of a session's history, in one round trip. With `windowFrom` (a windowed session's step
   * job carries it): the pinned task, the entries after `windowFrom` and the rolling-summary hash, so the load
   * stays the size of the window however long the session runs. Without: the whole history.
   */
  async historyWindow(sessionId: string, windowFrom?: number): Promise<HistoryWindow> {
    const key = this.keys.history(sessionId);
    if (windowFrom === undefined) return { offset: 0, ...parseHistoryLines(await this.redis.lrange(key, 0, -1)) };
    const [task, rest, memory] = await Promise.all([
      windowFrom > 0 ? this.redis.lrange(key, 0, 0) : Promise.resolve([]),
      this.redis.lrange(key, windowFrom > 0 ? windowFrom + 1 : 0, -1),
      this.redis.hgetall(this.keys.memory(sessionId)),
    ]);
    return { offset: windowFrom, ...parseHistoryLines([...task, ...rest]), memory };
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
      [this.keys.session(sessionId), this.keys.history(sessionId), this.keys.checkpoint(sessionId, step), this.keys.checkpoint(sessionId, step - 1)],
      // The committed checkpoint's expiry rides on the commit (one round trip, see commitStep-4.lua): the
      // session's data TTL when shorter, as the session's end would set it, so the end need not name it again.
      [step, Date.now(), committedCheckpointTtl(this.retention), ...entries.map((e) => JSON.stringify(e))],
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
    const previous = await runScript<string | null>(this.redis, 'transitionStatus', [this.keys.session(sessionId)], [to, Date.now(), expectedStep, ...from]);
    if (previous && isTerminal(to)) await this.applyRetention(sessionId);
    return previous ? (previous as SessionStatus) : undefined;
  }

  async requestCancel(sessionId: string): Promise<string | undefined> {
    const result = await runScript<string | null>(this.redis, 'requestCancel', [this.keys.session(sessionId)], [Date.now()]);
    // A parked session is cancelled at once: it is terminal now.
    if (result === 'cancelled') await this.applyRetention(sessionId);
    return result ?? undefined;
  }
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
  if (raw.shard !== undefined) session.shard = int(raw.shard);
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
  if (session.shard !== undefined) record.shard = String(session.shard);
  return record;
}
