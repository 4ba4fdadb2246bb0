import { z } from 'zod';
import { ENV } from './env-keys.js';
import { blankToUndefined, envBool, envString, envUrl } from './parse-env.js';
import type { RedisTarget } from '../redis/create-redis.js';

const NODE = /^(\[[^\]]+\]|[^:,\s]+):\d{1,5}$/;
const splitNodes = (v: string) =>
  v
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');

/** Variables every agentq process reads. */
export const CommonEnv = z.object({
  [ENV.REDIS_URL]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379'),
  ),
  /**
   * Seed nodes of a Redis Cluster, `host:port,host:port`; when set it wins over REDIS_URL and every
   * connection is an ioredis Cluster.
   */
  [ENV.REDIS_CLUSTER_NODES]: z.preprocess(
    blankToUndefined,
    z
      .string()
      // Checked on the whole string, so the message names the variable, not an entry's index.
      .refine((v) => splitNodes(v).length > 0 && splitNodes(v).every((n) => NODE.test(n)), 'must be host:port entries separated by commas')
      .transform(splitNodes)
      .optional(),
  ),
  /** Number of queue shards (hash-tagged BullMQ queues) sessions are spread over; the same on every process. */
  [ENV.QUEUE_SHARDS]: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(1024).default(1)),
  [ENV.QUEUE]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, "_" and "-"')
      .default('agentq'),
  ),
  [ENV.PREFIX]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .regex(/^[A-Za-z0-9_{}-]+$/, 'may hold only letters, digits, "_", "-" and braces')
      .default('aq'),
  ),
  [ENV.LOG_LEVEL]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  [ENV.LOG_PRETTY]: envBool(),
  [ENV.ALERT_WEBHOOK_URL]: envUrl(),
  [ENV.ANTHROPIC_BASE_URL]: envUrl(),
  [ENV.ANTHROPIC_API_KEY]: envString(),
});
export type CommonEnv = z.infer<typeof CommonEnv>;

/** The Redis a process connects to: the cluster seed nodes when REDIS_CLUSTER_NODES is set, else REDIS_URL. */
export function redisTargetOf(env: CommonEnv): RedisTarget {
  const nodes = env[ENV.REDIS_CLUSTER_NODES];
  return nodes && nodes.length > 0 ? { cluster: nodes } : env[ENV.REDIS_URL];
}
