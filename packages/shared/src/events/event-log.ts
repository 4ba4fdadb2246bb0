import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { scrubSecrets } from '../logger/scrub-secrets.js';
import { runScript } from '../redis/scripts.js';
import { type AgentEvent, type AgentEventOf, type AgentEventType, type EventBody, type EventEnvelope, parseAgentEvent } from '../schemas/agent-event.js';

export interface EventLogOptions {
  /** Approximate cap of each session's stream. @defaultValue 2000 */
  sessionMaxLen?: number;
  /** Approximate cap of the global stream. @defaultValue 100000 */
  globalMaxLen?: number;
  /** Entries older than this are trimmed from the global stream on write. @defaultValue 7 days */
  maxAgeMs?: number;
}

/** An event to append: its envelope (the time defaults to now) with a known type and that type's data. */
export type EventInput = Omit<EventEnvelope, 'timestamp' | 'id'> & EventBody & { timestamp?: number };

/** One checkpoint outbox to copy to the global stream (see {@link EventLog.publish}). */
export interface PublishedOutbox {
  /** Names the write, and so its events, uniquely: a second copy of it appends nothing. */
  id: string;
  /** Its events as stream field arrays, as the checkpoint script appended them. */
  encoded: string[][];
  /** The same events as this process built them, for the in-process observers. */
  events?: readonly AgentEvent[] | undefined;
}

/** An event as written: the envelope and body, the data scrubbed of secrets. */
type Written = EventEnvelope & { type: string; data: unknown };

/**
 * How long the id of an event copied from a checkpoint outbox is remembered: an outbox flushed again within
 * this time (a retried step racing a slow one) appends nothing twice. A worker's leftovers are flushed by the
 * step's next attempt, seconds after it died. @defaultValue 15 minutes
 */
const PUBLISHED_IDS_KEEP_MS = 15 * 60 * 1000;

/** Appends every AgentEvent to its session's stream and to the global stream (capped by length and age). */
export class EventLog {
  /** Approximate cap of each session's stream (checkpoint scripts that append events use it too). */
  readonly sessionMaxLen: number;
  private readonly globalMaxLen: number;
  private readonly maxAgeMs: number;
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private lastAgeTrim = 0;
  private lastPublishedTrim = 0;

  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    options: EventLogOptions = {},
  ) {
    this.sessionMaxLen = options.sessionMaxLen ?? 2000;
    this.globalMaxLen = options.globalMaxLen ?? 100_000;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 3600 * 1000;
  }

  /** In-process observers (metrics, alerts) see every event this process appends. */
  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async append(input: EventInput): Promise<void> {
    // The same scrubber as the logs: events live days in Redis and are shown by replay and the dashboard.
    const event = { ...input, data: scrubSecrets(input.data) as Record<string, unknown>, timestamp: input.timestamp ?? Date.now() };
    const fields = encode(event);
    const minId = `${event.timestamp - this.maxAgeMs}-0`;
    // Plain commands, not a pipeline: they still leave together (auto-pipelined, or back to back on the
    // socket), and an ioredis Pipeline copies every script defined on the connection each time it is built,
    // which at ~4 events per step was the largest single CPU cost of a step. A failed append is ignored, as a
    // pipeline's per-command errors were: observability must not fail a step.
    const writes: Array<Promise<unknown>> = [
      runScript(
        this.redis,
        'appendSessionEvent',
        [this.keys.session(event.sessionId), this.keys.sessionEvents(event.sessionId)],
        [this.sessionMaxLen, ...fields],
      ),
      this.redis.xadd(this.keys.globalEvents(), 'MAXLEN', '~', this.globalMaxLen, '*', ...fields),
    ];
    // Trimming by age once a second is as good as on every write (entries are days old when they go) and
    // saves one command per event on the step's hot path; MAXLEN above bounds the stream in between.
    if (event.timestamp - this.lastAgeTrim >= 1000) {
      this.lastAgeTrim = event.timestamp;
      writes.push(this.redis.xtrim(this.keys.globalEvents(), 'MINID', '~', minId));
    }
    await Promise.all(writes.map((write) => write.catch(() => undefined)));
    if (this.listeners.size === 0) return;
    // Observers see the event as readers do: through the decoder.
    const decoded = parseAgentEvent(event);
    for (const listener of this.listeners) {
      try {
        listener(decoded);
      } catch {
        // an observer's bug must never fail a step
      }
    }
  }

  /** An event as the stream fields a checkpoint script appends (see saveModelTurn-5.lua). */
  encode(input: EventInput): string[] {
    return this.prepare(input).fields;
  }

  /**
   * An event as the stream fields a checkpoint script appends, and as the in-process observers see it once
   * {@link publish} copied it: this process built it with a known type, so it needs no trip through the decoder.
   */
  prepare(input: EventInput): { fields: string[]; event: AgentEvent } {
    const event = { ...input, data: scrubSecrets(input.data) as Record<string, unknown>, timestamp: input.timestamp ?? Date.now() };
    return { fields: encode(event), event: event as unknown as AgentEvent };
  }

  /**
   * Copies events checkpoint scripts already appended to their session's stream to the global stream, each
   * outbox at most once whoever else copies it (see publishEvents-2.lua), all in one script, and tells the
   * in-process observers of the ones appended now (an outbox's `events`: the same events as {@link prepare}
   * gave them, when the caller has them). Returns false when the copy failed: the events stay in their
   * checkpoints' outboxes and the step's next attempt copies them.
   */
  async publish(outboxes: readonly PublishedOutbox[]): Promise<boolean> {
    const withEvents = outboxes.filter((outbox) => outbox.encoded.length > 0);
    if (withEvents.length === 0) return true;
    let appended: number[];
    const now = Date.now();
    // The set of published ids is trimmed by age about once a second, not on every copy (see publishEvents-2.lua).
    const trim = now - this.lastPublishedTrim >= 1000;
    if (trim) this.lastPublishedTrim = now;
    try {
      appended = await runScript<number[]>(
        this.redis,
        'publishEvents',
        [this.keys.globalEvents(), this.keys.publishedEvents()],
        [this.globalMaxLen, now, PUBLISHED_IDS_KEEP_MS, trim ? '1' : '0', ...withEvents.flatMap((outbox) => [outbox.id, JSON.stringify(outbox.encoded)])],
      );
    } catch {
      if (trim) this.lastPublishedTrim = 0;
      return false;
    }
    if (this.listeners.size === 0) return true;
    withEvents.forEach((outbox, i) => {
      if (appended[i] !== 1) return;
      // The events as this process built them when it has them (see prepare), else through the decoder.
      for (const event of outbox.events ?? outbox.encoded.map((fields) => decodeEvent('', fields))) {
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch {
            // an observer's bug must never fail a step
          }
        }
      }
    });
    return true;
  }

  /** A session's events in order. */
  async forSession(sessionId: string, count = 10_000): Promise<AgentEvent[]> {
    const entries = await this.redis.xrange(this.keys.sessionEvents(sessionId), '-', '+', 'COUNT', count);
    return entries.map(([id, fields]) => decodeEvent(id, fields));
  }

  /** Global events since a time (ms), oldest first, optionally filtered by type (events the decoder does not know are left out then). */
  async since<T extends AgentEventType>(sinceMs: number, options: { types: T[]; count?: number }): Promise<Array<AgentEventOf<T>>>;
  async since(sinceMs: number, options?: { count?: number }): Promise<AgentEvent[]>;
  async since(sinceMs: number, options: { types?: AgentEventType[]; count?: number } = {}): Promise<AgentEvent[]> {
    const out: AgentEvent[] = [];
    let start = `${Math.max(0, sinceMs)}-0`;
    const pageSize = 5000;
    const limit = options.count ?? 1_000_000;
    while (out.length < limit) {
      const entries = await this.redis.xrange(this.keys.globalEvents(), start, '+', 'COUNT', pageSize);
      for (const [id, fields] of entries) {
        const event = decodeEvent(id, fields);
        if (!options.types || (options.types as readonly string[]).includes(event.type)) out.push(event);
      }
      if (entries.length < pageSize) break;
      start = `(${(entries[entries.length - 1] as [string, string[]])[0]}`;
    }
    return out.slice(0, limit);
  }
}

function encode(event: Written): string[] {
  const fields = [
    'sessionId',
    event.sessionId,
    'step',
    String(event.step),
    'type',
    event.type,
    'ts',
    String(event.timestamp),
    'data',
    JSON.stringify(event.data),
  ];
  if (event.jobId) fields.push('jobId', event.jobId);
  if (event.workerId) fields.push('workerId', event.workerId);
  if (event.agent) fields.push('agent', event.agent);
  if (event.tenant) fields.push('tenant', event.tenant);
  return fields;
}

/** A stream entry of the session or global event stream back as an {@link AgentEvent}. */
export function decodeEvent(id: string, fields: string[]): AgentEvent {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i] as string] = fields[i + 1] as string;
  const step = Number(map.step);
  const timestamp = Number(map.ts);
  return parseAgentEvent({
    ...(id ? { id } : {}),
    sessionId: map.sessionId ?? '',
    step: Number.isInteger(step) && step >= 0 ? step : 0,
    type: map.type ?? '',
    // Scrubbed on read too, for events stored before the scrubber ran on append.
    data: dataOf(map.data),
    timestamp: Number.isFinite(timestamp) ? timestamp : 0,
    ...(map.jobId !== undefined ? { jobId: map.jobId } : {}),
    ...(map.workerId !== undefined ? { workerId: map.workerId } : {}),
    ...(map.agent !== undefined ? { agent: map.agent } : {}),
    ...(map.tenant !== undefined ? { tenant: map.tenant } : {}),
  });
}

/** An entry's `data` field as an object; unreadable data decodes as empty (the event becomes `unknown` if its type needs fields). */
function dataOf(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = scrubSecrets(JSON.parse(text));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
