import { describe, expect, it } from 'vitest';
import { CommonEnv, redisTargetOf } from './common-env.js';
import { parseEnv } from './parse-env.js';

describe('Redis Cluster and shard settings', () => {
  it('reads REDIS_CLUSTER_NODES as seed nodes that win over REDIS_URL', () => {
    const env = parseEnv(CommonEnv, {
      REDIS_URL: 'redis://10.0.0.1:6379',
      REDIS_CLUSTER_NODES: '10.0.0.11:7000, 10.0.0.12:7000,[::1]:7001',
      AGENTQ_QUEUE_SHARDS: '3',
    });
    expect(env.REDIS_CLUSTER_NODES).toEqual(['10.0.0.11:7000', '10.0.0.12:7000', '[::1]:7001']);
    expect(env.AGENTQ_QUEUE_SHARDS).toBe(3);
    expect(redisTargetOf(env)).toEqual({ cluster: ['10.0.0.11:7000', '10.0.0.12:7000', '[::1]:7001'] });
  });

  it('keeps REDIS_URL and one shard when unset or blank', () => {
    const env = parseEnv(CommonEnv, { REDIS_URL: 'redis://10.0.0.1:6379', REDIS_CLUSTER_NODES: ' ', AGENTQ_QUEUE_SHARDS: '' });
    expect(redisTargetOf(env)).toBe('redis://10.0.0.1:6379');
    expect(env.AGENTQ_QUEUE_SHARDS).toBe(1);
  });

  it('names the variable of a bad value', () => {
    expect(() => parseEnv(CommonEnv, { REDIS_CLUSTER_NODES: 'redis://10.0.0.11:7000' })).toThrow(
      /REDIS_CLUSTER_NODES="redis:\/\/10\.0\.0\.11:7000": must be host:port/,
    );
    expect(() => parseEnv(CommonEnv, { AGENTQ_QUEUE_SHARDS: '0' })).toThrow(/AGENTQ_QUEUE_SHARDS="0"/);
  });
});
