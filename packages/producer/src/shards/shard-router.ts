import { AgentqError, type QueueShard, shardOfSessionId, type Stores, type TenantScheduler } from '@agentq/shared';
import type { Queue } from 'bullmq';

/** A producer's view of one queue shard: its queue, its stores (shard-tagged global keys) and scheduler. */
export interface ProducerShard {
  readonly shard: QueueShard;
  readonly queue: Queue;
  readonly stores: Stores;
  readonly scheduler: TenantScheduler;
}

/**
 * Finds the shard of a session. A new session goes where the stable hash of its id says; an existing one
 * goes where its record says (`shard`), so changing the shard count moves no running session.
 */
export class ShardRouter {
  constructor(readonly shards: readonly ProducerShard[]) {
    if (shards.length === 0) throw new RangeError('ShardRouter: no shards');
  }

  /** Whether sessions record their shard: whenever a shard carries a tag (several shards, or a cluster). */
  get recordsShard(): boolean {
    return this.shards.length > 1 || this.shards[0]?.shard.tag !== undefined;
  }

  get first(): ProducerShard {
    return this.shards[0] as ProducerShard;
  }

  /** The shard a new session with this id goes to. */
  forNew(sessionId: string): ProducerShard {
    return this.byIndex(shardOfSessionId(sessionId, this.shards.length));
  }

  byIndex(index: number): ProducerShard {
    const shard = this.shards[index];
    if (!shard) {
      throw new AgentqError(
        'internal',
        `a session is on queue shard ${index}, but this producer knows ${this.shards.length} shard(s): run it with AGENTQ_QUEUE_SHARDS of at least ${index + 1}`,
      );
    }
    return shard;
  }

  /** The shard recorded on a session (shard 0 for a session from before shards, or one that does not exist). */
  async forSession(sessionId: string): Promise<ProducerShard> {
    if (this.shards.length === 1) return this.first;
    const recorded = await this.first.stores.redis.hget(this.first.stores.keys.session(sessionId), 'shard');
    return this.byIndex(recorded === null ? 0 : Number(recorded));
  }

  /**
   * Session ids of every shard's index, newest first, merged by creation time (each shard's index is a
   * sorted set scored by it), read a page at a time.
   */
  async *sessionIds(page = 500): AsyncGenerator<string, void, undefined> {
    const cursors = this.shards.map((s) => ({ stores: s.stores, offset: 0, buffer: [] as Array<{ id: string; score: number }>, done: false }));
    const fill = async (c: (typeof cursors)[number]) => {
      if (c.done || c.buffer.length > 0) return;
      const flat = await c.stores.redis.zrevrange(c.stores.keys.sessionIndex(), c.offset, c.offset + page - 1, 'WITHSCORES');
      c.offset += flat.length / 2;
      for (let i = 0; i < flat.length; i += 2) c.buffer.push({ id: flat[i] as string, score: Number(flat[i + 1]) });
      if (flat.length === 0) c.done = true;
    };
    for (;;) {
      await Promise.all(cursors.map(fill));
      let best: (typeof cursors)[number] | undefined;
      for (const c of cursors) if (c.buffer.length > 0 && (!best || (c.buffer[0]?.score ?? 0) > (best.buffer[0]?.score ?? 0))) best = c;
      if (!best) return;
      yield (best.buffer.shift() as { id: string }).id;
    }
  }
}
