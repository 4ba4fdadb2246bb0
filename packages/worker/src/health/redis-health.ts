import { isRedisUnavailable, type Logger, type Redis } from '@agentq/shared';

/** Whether Redis answers, as the worker's connections see it. */
export interface RedisHealthState {
  redis: 'up' | 'down';
  /** How long the current outage has lasted, in ms (0 when up). */
  downForMs: number;
  /** Outages seen since start. */
  outages: number;
}

/**
 * Follows the worker's Redis connections and turns their error stream into one story per outage: one warn
 * when the first connection loses Redis, one warn with the outage's duration when all of them are back. The
 * raw errors (one per reconnect attempt, every few seconds, on each connection) are swallowed here, so
 * stderr stays readable and ioredis never prints "Unhandled error event".
 */
export class RedisHealth {
  private readonly down = new Set<Redis>();
  private since = 0;
  private outages = 0;
  private lastError = '';
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  watch(connection: Redis, name: string): this {
    connection.on('error', (err: Error) => this.onError(connection, name, err));
    connection.on('close', () => this.markDown(connection, name, 'connection closed'));
    connection.on('ready', () => this.markUp(connection));
    return this;
  }

  /** The worker is closing its connections: what follows is not an outage. */
  stop(): void {
    this.stopped = true;
  }

  state(now = Date.now()): RedisHealthState {
    return { redis: this.isDown ? 'down' : 'up', downForMs: this.isDown ? now - this.since : 0, outages: this.outages };
  }

  get isDown(): boolean {
    return this.down.size > 0;
  }

  /** Whether an error is Redis being away, which this class already reports (callers then stay quiet). */
  isOutageError(error: unknown): boolean {
    return isRedisUnavailable(error) || (this.isDown && error instanceof Error && /ECONNREFUSED|connect|closed/i.test(error.message));
  }

  private onError(connection: Redis, name: string, err: Error): void {
    this.lastError = err.message.split('\n')[0] ?? '';
    if (isRedisUnavailable(err) || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH/.test(err.message)) this.markDown(connection, name, this.lastError);
    else this.logger.warn({ connection: name, err: this.lastError }, 'redis connection error');
  }

  private markDown(connection: Redis, name: string, reason: string): void {
    if (this.down.has(connection)) return;
    // A connection closed on purpose (quit at shutdown) is not an outage.
    if (this.stopped) return;
    const first = this.down.size === 0;
    this.down.add(connection);
    if (!first) return;
    this.since = Date.now();
    this.outages += 1;
    this.logger.warn({ connection: name, reason }, 'redis unavailable: steps wait and reconnect; no more messages until it is back');
  }

  private markUp(connection: Redis): void {
    if (!this.down.delete(connection) || this.down.size > 0) return;
    this.logger.warn({ downMs: Date.now() - this.since, lastError: this.lastError }, 'redis available again after an outage');
  }
}

/**
 * Warns once at start-up when Redis is set up to lose agentq's data: an eviction policy other than
 * `noeviction` (keys of running sessions can be evicted) or no persistence (a restart empties it).
 */
export async function warnUnsafeRedis(redis: Redis, logger: Logger): Promise<void> {
  const info = await redis.info('memory').catch(() => '');
  const persistence = await redis.info('persistence').catch(() => '');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  if (policy && policy !== 'noeviction') {
    logger.warn({ maxmemoryPolicy: policy }, `redis maxmemory-policy is ${policy}: Redis may evict the keys of running sessions; set noeviction`);
  }
  const aof = /aof_enabled:(\d)/.exec(persistence)?.[1];
  const rdbSaves = /rdb_last_save_time:/.test(persistence);
  if (aof === '0') {
    logger.warn(
      { aofEnabled: false, rdb: rdbSaves },
      'redis AOF persistence is off: a restart can lose acknowledged steps and whole sessions; set appendonly yes',
    );
  }
}
