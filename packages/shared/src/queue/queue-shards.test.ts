import { describe, expect, it } from 'vitest';
import { keySlot } from '../redis/key-slot.js';
import { parseShardList, queueShards, shardOfSessionId } from './queue-shards.js';

describe('queueShards', () => {
  it('keeps the unsharded queue name for shard 0 on a standalone Redis', () => {
    expect(queueShards('agentq')).toEqual([{ index: 0, queueName: 'agentq', tag: undefined }]);
    expect(queueShards('agentq', { count: 3 })[0]).toEqual({ index: 0, queueName: 'agentq', tag: undefined });
  });

  it('tags every shard on a cluster, one per third of the slot range (one per master of 3)', () => {
    const shards = queueShards('agentq', { count: 3, cluster: true });
    const thirds = shards.map((s) => Math.floor((keySlot(s.queueName) * 3) / 16384));
    expect(thirds).toEqual([0, 1, 2]);
    for (const shard of shards) expect(keySlot(`bull:${shard.queueName}:wait`)).toBe(keySlot(`aq:{${shard.tag}}:events`));
  });

  it('never renames a shard when more are added', () => {
    const three = queueShards('agentq', { count: 3, cluster: true });
    const eight = queueShards('agentq', { count: 8, cluster: true });
    expect(eight.slice(0, 3)).toEqual(three);
    expect(new Set(eight.map((s) => s.tag)).size).toBe(8);
  });

  it('places a session id on the same shard every time, spreading ids', () => {
    expect(shardOfSessionId('ses_a', 3)).toBe(shardOfSessionId('ses_a', 3));
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOfSessionId(`ses_${i}`, 3)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  it('parses a pinned shard list', () => {
    expect(parseShardList(undefined, 3)).toEqual([0, 1, 2]);
    expect(parseShardList('2,0', 3)).toEqual([0, 2]);
    expect(() => parseShardList('3', 3)).toThrow(/0\.\.2/);
  });
});
