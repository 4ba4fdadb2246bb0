import { CLUSTER_SLOTS, keySlot } from '../redis/key-slot.js';

/** One of the N BullMQ queues a fleet's sessions are spread over. */
export interface QueueShard {
  /** 0 … N-1; recorded on each session as `shard`. */
  index: number;
  /** The BullMQ queue name: `<base>` for the unsharded shard 0, else `{<tag>}` (the tag keeps the queue in one slot). */
  queueName: string;
  /**
   * The hash tag of the shard's queue and of its agentq hot keys (global events, session index, pending
   * approvals), so one shard lives on one cluster node. Absent for the unsharded shard 0.
   */
  tag: string | undefined;
}

/**
 * Where shard `index`'s tag should land, as a fraction of the slot range. The first three sit in the
 * middle of the three thirds a 3-master cluster splits its slots into (so 3 shards use 3 masters); later
 * ones follow the golden-ratio sequence, which keeps any prefix of shards spread over the range.
 */
function targetFraction(index: number): number {
  if (index < 3) return (2 * index + 1) / 6;
  const golden = (Math.sqrt(5) - 1) / 2;
  return (index * golden) % 1;
}

const SEARCH_LIMIT = 100_000;

/**
 * The hash tag of shard `index` of queue `base`: the first `<base>-<k>` (k = 0, 1, …) whose slot lies within
 * 1/24 of the slot range of the shard's target. Naive tags collide (`{agentq:0}` and `{agentq:1}` hash to
 * slots 4585 and 456, one node's range), so tags are picked by slot. Deterministic: every producer and
 * worker computes the same tags, and adding shards never renames an existing one.
 */
export function shardTag(base: string, index: number): string {
  const target = targetFraction(index) * CLUSTER_SLOTS;
  const window = CLUSTER_SLOTS / 24;
  for (let k = 0; k < SEARCH_LIMIT; k++) {
    const tag = `${base}-${k}`;
    if (Math.abs(keySlot(tag) - target) <= window) return tag;
  }
  throw new Error(`no shard tag found for ${base} #${index}`);
}

export interface QueueShardOptions {
  /** Number of shards. @defaultValue 1 */
  count?: number;
  /**
   * Whether Redis is a cluster. On a standalone Redis shard 0 keeps the unsharded names (`<base>`, `aq:events`,
   * …) so a single-queue deployment that adds shards keeps its queue; on a cluster every shard is tagged.
   * @defaultValue false
   */
  cluster?: boolean;
}

/** The shards of queue `base`, in index order. */
export function queueShards(base: string, options: QueueShardOptions = {}): QueueShard[] {
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`queue shards must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, index) => {
    if (index === 0 && !options.cluster) return { index, queueName: base, tag: undefined };
    const tag = shardTag(base, index);
    return { index, queueName: `{${tag}}`, tag };
  });
}

/**
 * The shard a new session goes to: a stable hash (FNV-1a) of its id, so a repeated start of the same id
 * lands on the same shard. Later steps read the shard recorded on the session, never this.
 */
export function shardOfSessionId(sessionId: string, count: number): number {
  if (count <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) {
    hash ^= sessionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

/** Parses a shard list such as `0,2` against a shard count; undefined or empty means every shard. */
export function parseShardList(list: string | undefined, count: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (list === undefined || list.trim() === '') return all;
  const picked = [...new Set(list.split(',').map((part) => part.trim()))].map((part) => {
    const n = Number(part);
    if (!/^\d+$/.test(part) || n >= count) throw new RangeError(`shard "${part}" is not one of 0..${count - 1}`);
    return n;
  });
  return picked.sort((a, b) => a - b);
}

/**
 * The shard count for library callers that pass none: AGENTQ_QUEUE_SHARDS (the binaries validate it with
 * zod first), else 1. Every producer and worker of a fleet must use the same count.
 */
export function shardCountFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.AGENTQ_QUEUE_SHARDS?.trim() || '1');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`AGENTQ_QUEUE_SHARDS must be a positive integer, got ${JSON.stringify(env.AGENTQ_QUEUE_SHARDS)}`);
  return n;
}
