import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { TextDelta } from '../schemas/text-delta.js';

export interface DeltaChannelOptions {
  /** Approximate cap of each session's delta stream. @defaultValue 1000 */
  maxLen?: number;
  /** The delta stream expires this long after its last write. @defaultValue 600000 (10 min) */
  ttlMs?: number;
}

/**
 * The non-durable channel of a streaming model call's text deltas: a capped, expiring Redis Stream tagged
 * with its session, so a subscriber reads it and the session's events with one blocking XREAD.
 */
export class DeltaChannel {
  private readonly maxLen: number;
  private readonly ttlMs: number;

  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    options: DeltaChannelOptions = {},
  ) {
    this.maxLen = options.maxLen ?? 1000;
    this.ttlMs = options.ttlMs ?? 600_000;
  }

  /**
   * Sends one delta. Writes leave in order on the connection; a failed write is dropped (a lost delta only
   * thins the live view, never the session).
   */
  append(delta: Omit<TextDelta, 'type' | 'timestamp' | 'id'>): Promise<void> {
    const key = this.keys.sessionDeltas(delta.sessionId);
    const fields = ['step', String(delta.step), 'index', String(delta.index), 'text', delta.text, 'ts', String(Date.now())];
    return Promise.all([this.redis.xadd(key, 'MAXLEN', '~', this.maxLen, '*', ...fields), this.redis.pexpire(key, this.ttlMs)]).then(
      () => undefined,
      () => undefined,
    );
  }
}

/** A delta stream entry back as a {@link TextDelta}. */
export function decodeDelta(sessionId: string, id: string, fields: string[]): TextDelta {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i] as string] = fields[i + 1] as string;
  return TextDelta.parse({
    type: 'text_delta',
    sessionId,
    step: Number(map.step),
    index: Number(map.index),
    text: map.text ?? '',
    timestamp: Number(map.ts),
    id,
  });
}
