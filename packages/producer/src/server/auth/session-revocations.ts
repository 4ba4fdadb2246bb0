import type { Redis } from '@agentq/shared';
import type { Keys } from '@agentq/shared/internal';

/**
 * Login sessions ended by logout. A cookie is self-contained (signed, with its expiry), so logout alone would
 * only make the browser forget it; the revoked id is kept in Redis until the cookie would have expired, so
 * every dashboard replica refuses a copy of it.
 */
export class SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async revoke(sid: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.dashboardRevoked(sid), '1', 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async isRevoked(sid: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.dashboardRevoked(sid))) === 1;
  }
}
