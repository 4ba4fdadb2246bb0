import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * Where Redis is: a standalone server's URL, or the seed nodes of a Redis Cluster (`host:port`, any few
 * masters or replicas: the client learns the rest of the topology from them).
 */
export type RedisTarget = string | { url: string } | { cluster: readonly string[] };

/** Whether a connection is an ioredis `Cluster` (agentq keeps it typed as `Redis`; see {@link createRedis}). */
export function isCluster(redis: Redis): boolean {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** Parses `host:port` seed nodes (as in REDIS_CLUSTER_NODES); an IPv6 host goes in brackets: `[::1]:7000`. */
export function parseClusterNodes(list: readonly string[]): ClusterNode[] {
  return list.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(entry.trim());
    if (!match) throw new TypeError(`cluster node "${entry}" is not host:port`);
    return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
  });
}

const retryStrategy = (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 3000);

/**
 * Opens an ioredis connection fit for BullMQ workers and agentq stores: `maxRetriesPerRequest: null`
 * so commands wait through a Redis restart instead of failing, and a capped reconnect backoff.
 *
 * A `{ cluster }` target opens an ioredis `Cluster` with the options BullMQ documents for clusters
 * (`maxRetriesPerRequest: null` on every node connection). It is returned typed as `Redis`: the command
 * surface agentq uses is the same on both classes, and the few places where they differ (pipelines that
 * span slots, `duplicate`, server introspection) ask {@link isCluster}. Every agentq key and BullMQ queue is
 * hash-tagged so each script and pipeline stays in one slot.
 */
export function createRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  const resolved = typeof target === 'string' ? { url: target } : target;
  if ('url' in resolved) {
    return new Redis(resolved.url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy, ...options });
  }
  const { enableAutoPipelining, ...nodeOptions } = options;
  const cluster = new Cluster(parseClusterNodes(resolved.cluster), {
    redisOptions: { maxRetriesPerRequest: null, ...nodeOptions },
    enableReadyCheck: true,
    clusterRetryStrategy: retryStrategy,
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
  });
  return cluster as unknown as Redis;
}

/**
 * A second connection to the same Redis (standalone or cluster) with some options changed: `Cluster`'s
 * `duplicate` takes its seed nodes first, `Redis`'s takes the options.
 */
export function duplicateRedis(redis: Redis, options: Pick<RedisOptions, 'enableAutoPipelining'> = {}): Redis {
  if (isCluster(redis)) return (redis as unknown as Cluster).duplicate([], options) as unknown as Redis;
  return redis.duplicate(options);
}

/**
 * Every master of a cluster (or the one standalone connection): for commands that read a whole server,
 * such as INFO or CONFIG GET.
 */
export function serverNodes(redis: Redis): Redis[] {
  return isCluster(redis) ? ((redis as unknown as Cluster).nodes('master') as Redis[]) : [redis];
}

/** A Redis to connect to, or an open connection to use (the caller then owns it). */
export type RedisConnection = RedisTarget | Redis;

/** Whether `connection` is a target to open (a URL or cluster seeds) rather than an open connection. */
export function isRedisTarget(connection: RedisConnection): connection is RedisTarget {
  return typeof connection === 'string' || 'url' in connection || ('cluster' in connection && Array.isArray((connection as { cluster?: unknown }).cluster));
}

/**
 * The Redis named by the environment, for library callers that pass no connection (the binaries validate
 * the same variables with zod first): REDIS_CLUSTER_NODES when set, else REDIS_URL, else a local Redis.
 */
export function redisTargetFromEnv(env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const nodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (nodes.length > 0) return { cluster: nodes };
  return env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
}

/** Opens `connection` when it is a target (owned: close it), or hands an open one back (not owned). */
export function openRedis(connection: RedisConnection | undefined, options: RedisOptions = {}): { redis: Redis; owned: boolean } {
  const resolved = connection ?? redisTargetFromEnv();
  if (isRedisTarget(resolved)) return { redis: createRedis(resolved, options), owned: true };
  return { redis: resolved, owned: false };
}
