import { randomUUID } from 'node:crypto';
import { createRedis, type Redis, type RedisTarget } from '@agentq/shared';
import { RedisCluster } from '@agentq/shared/testing';
import { afterAll, beforeAll } from 'vitest';

/** The 3-master cluster of one test file, started once before its tests and removed after them. */
export function useCluster(): { target: () => RedisTarget; cluster: () => RedisCluster; names: () => { queueName: string; prefix: string } } {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await RedisCluster.start(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });
  const get = () => {
    if (!cluster) throw new Error('the cluster has not started');
    return cluster;
  };
  return {
    cluster: get,
    target: () => ({ cluster: get().nodes }),
    // Each test its own queue and prefix: the cluster lives for the whole file.
    names: () => ({ queueName: `test-${randomUUID().slice(0, 8)}`, prefix: `t${randomUUID().slice(0, 8)}` }),
  };
}

/** A cluster connection of the test's own. */
export function clusterClient(target: RedisTarget): Redis {
  return createRedis(target);
}
