import type { ChainableCommander } from 'ioredis';
import { isCluster, type Redis } from './create-redis.js';
import { keySlot } from './key-slot.js';

/**
 * Runs one pipeline over many items whose keys may lie in different hash slots, and returns each item's
 * reply in input order. On a standalone Redis this is one pipeline, as before; on a cluster a pipeline
 * may touch one slot only, so the items go out as one pipeline per slot, all at once (one round trip in
 * time, not one per slot). `slotKey` names the key that decides an item's slot; `add` queues exactly one
 * command for the item.
 */
export async function pipelineBySlot<T, R>(
  redis: Redis,
  items: readonly T[],
  slotKey: (item: T) => string,
  add: (pipeline: ChainableCommander, item: T) => void,
): Promise<Array<[Error | null, R]>> {
  if (items.length === 0) return [];
  const groups = new Map<number, number[]>();
  if (isCluster(redis)) {
    items.forEach((item, i) => {
      const slot = keySlot(slotKey(item));
      const group = groups.get(slot);
      if (group) group.push(i);
      else groups.set(slot, [i]);
    });
  } else {
    groups.set(
      0,
      items.map((_, i) => i),
    );
  }
  const out = new Array<[Error | null, R]>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const pipeline = redis.pipeline();
      for (const i of indexes) add(pipeline, items[i] as T);
      const replies = (await pipeline.exec()) ?? [];
      indexes.forEach((itemIndex, j) => {
        out[itemIndex] = (replies[j] ?? [new Error('no reply'), undefined]) as [Error | null, R];
      });
    }),
  );
  return out;
}
