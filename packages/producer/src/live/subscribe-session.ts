import { AgentqError, type AgentEvent, decodeDelta, decodeEvent, isTerminal, type Stores, type TextDelta } from '@agentq/shared';
import { type LiveEvent, SESSION_END_EVENTS } from './live-event.js';

export interface SubscribeOptions {
  /**
   * Resume after this event id (a stream id such as an SSE `Last-Event-ID`): events after it are yielded,
   * it itself is not. @defaultValue the session's first event
   */
  from?: string;
  /** Also yield the text deltas of streaming model calls (from now on; they are not replayed). @defaultValue false */
  deltas?: boolean;
  /**
   * Keep waiting after the session ends (a conversation may continue it). Otherwise the iterator returns
   * after the event that ended the session, or when the session is found ended with nothing left to read.
   * @defaultValue false
   */
  follow?: boolean;
  /** Longest single blocking read, in ms; the session's status is checked between reads. @defaultValue 5000 */
  blockMs?: number;
  /** Stops the subscription (the iterator returns). @defaultValue none */
  signal?: AbortSignal;
}

const STREAM_ID = /^\d+(-\d+)?$/;
const READ_COUNT = 200;

/**
 * A session's events as an async iterator, in stream order, each exactly once, resuming after `from`. It
 * reads with a blocking XREAD on a connection of its own (closed when the iterator ends), covering the
 * session's event stream and, with `deltas`, its delta stream in the same call — both carry the session's
 * hash tag. Breaking out of a `for await` loop ends it.
 */
export async function* subscribeSession(stores: Stores, sessionId: string, options: SubscribeOptions = {}): AsyncGenerator<LiveEvent, void, undefined> {
  const from = options.from ?? '0-0';
  if (!STREAM_ID.test(from)) throw new AgentqError('invalid_payload', `subscribe: "${from}" is not an event id`);
  const session = await stores.sessions.get(sessionId);
  if (!session) throw new AgentqError('session_not_found', `no session ${sessionId}`);
  // An ended session's events are all written: read what is left without blocking, then return.
  const ended = !options.follow && isTerminal(session.status);
  const eventsKey = stores.keys.sessionEvents(sessionId);
  const deltasKey = stores.keys.sessionDeltas(sessionId);
  const blockMs = options.blockMs ?? 5000;
  let lastEvent = from;
  // Deltas from now on: older ones belong to calls whose text is already in the events.
  let lastDelta = options.deltas ? ((await stores.redis.xrevrange(deltasKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0') : undefined;
  const reader = stores.redis.duplicate();
  const abort = () => reader.disconnect();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    while (!options.signal?.aborted) {
      const keys = lastDelta === undefined ? [eventsKey] : [eventsKey, deltasKey];
      const ids = lastDelta === undefined ? [lastEvent] : [lastEvent, lastDelta];
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        reply = (
          ended
            ? await reader.xread('COUNT', READ_COUNT, 'STREAMS', ...keys, ...ids)
            : await reader.xread('COUNT', READ_COUNT, 'BLOCK', blockMs, 'STREAMS', ...keys, ...ids)
        ) as typeof reply;
      } catch (error) {
        if (options.signal?.aborted) return;
        throw error;
      }
      if (!reply && ended) return;
      if (!reply) {
        // Nothing new for a while: a session that has ended (and whose end event was already read or trimmed) is done.
        const now = await stores.sessions.get(sessionId);
        if (!options.follow && (!now || isTerminal(now.status))) return;
        continue;
      }
      const batch: LiveEvent[] = [];
      for (const [key, entries] of reply) {
        for (const [id, fields] of entries) {
          if (key === eventsKey) {
            batch.push(decodeEvent(id, fields));
            lastEvent = id;
          } else {
            batch.push(decodeDelta(sessionId, id, fields));
            lastDelta = id;
          }
        }
      }
      // Both streams take ids from one server clock: merged by id, deltas and events come in the order written.
      batch.sort((a, b) => compareIds(a.id as string, b.id as string));
      for (const item of batch) {
        yield item;
        if (!options.follow && isEvent(item) && SESSION_END_EVENTS.has(item.type)) return;
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    reader.disconnect();
  }
}

function isEvent(item: LiveEvent): item is AgentEvent {
  return item.type !== 'text_delta';
}

export function isTextDelta(item: LiveEvent): item is TextDelta {
  return item.type === 'text_delta';
}

/** Orders Redis stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return am === bm ? Number(as) - Number(bs) : Number(am) - Number(bm);
}
