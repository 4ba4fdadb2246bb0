import type { Redis } from '@agentq/shared';
import type { Keys } from '@agentq/shared/internal';

/** How many wrong logins one client address may make per window. */
export interface LoginThrottleOptions {
  /** Wrong logins allowed per window; the next attempts get 429 until the window ends. @defaultValue 10 */
  maxFailures?: number;
  /** Length of the window, counted from the first failure in it, in ms. @defaultValue 60000 */
  windowMs?: number;
}

/**
 * Counts failed logins per client address in Redis (shared by dashboard replicas). Once a client used up its
 * failures, every login from it is refused until the window ends, the right credentials included, so a
 * guesser learns nothing from the answers.
 */
export class LoginThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    options: LoginThrottleOptions = {},
  ) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** 0 when the client may try, otherwise the ms until it may. */
  async blockedForMs(client: string): Promise<number> {
    const key = this.keys.loginFailures(client);
    const [[, count], [, ttl]] = ((await this.redis.multi().get(key).pttl(key).exec()) ?? []) as [[unknown, string | null], [unknown, number]];
    return Number(count ?? 0) >= this.maxFailures ? Math.max(1, ttl) : 0;
  }

  async recordFailure(client: string): Promise<void> {
    const key = this.keys.loginFailures(client);
    // The window starts at the first failure (NX), so steady guessing cannot keep it from ending.
    await this.redis.multi().incr(key).pexpire(key, this.windowMs, 'NX').exec();
  }

  async reset(client: string): Promise<void> {
    await this.redis.del(this.keys.loginFailures(client));
  }
}
