import type { Redis } from 'ioredis';
import { ApprovalStore } from './approvals/approval-store.js';
import { QuestionStore } from './conversation/question-store.js';
import { DeltaChannel } from './events/delta-channel.js';
import { EventLog, type EventLogOptions } from './events/event-log.js';
import { Keys } from './redis/keys.js';
import { SessionStore } from './session/session-store.js';

/** The Redis-backed stores a producer or a worker works with, over one connection. */
export interface Stores {
  redis: Redis;
  keys: Keys;
  sessions: SessionStore;
  events: EventLog;
  approvals: ApprovalStore;
  /** Text deltas of streaming model calls (non-durable). */
  deltas: DeltaChannel;
  /** `ask_human` questions, parking for input and delivering users' messages. */
  questions: QuestionStore;
}

/**
 * The stores over one connection. `shardTag` is the queue shard's hash tag (see queue-shards.ts): its
 * global keys (event stream, session index, pending approvals) are the shard's own; per-session keys are
 * the same for every shard.
 */
export function createStores(redis: Redis, prefix = 'aq', eventOptions?: EventLogOptions, shardTag?: string): Stores {
  const keys = new Keys(prefix, shardTag);
  return {
    redis,
    keys,
    sessions: new SessionStore(redis, keys),
    events: new EventLog(redis, keys, eventOptions),
    approvals: new ApprovalStore(redis, keys),
    deltas: new DeltaChannel(redis, keys),
    questions: new QuestionStore(redis, keys),
  };
}
