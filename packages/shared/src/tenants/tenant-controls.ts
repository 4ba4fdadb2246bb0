import { TenantBudgets } from '../budget/tenant-budgets.js';

/** A tenant's scheduling settings; an absent field means the default. */
export interface TenantSettings {
  /** Relative share of the fleet's step slots when tenants compete. @defaultValue 1 */
  weight?: number;
  /** Steps of this tenant running at once across the fleet. @defaultValue no cap */
  maxConcurrency?: number;
  /** Fraction (0, 1] of every rate limit this tenant may use. @defaultValue the worker's tenant share (AGENTQ_TENANT_SHARE), else none */
  share?: number;
}

/** Highest weight a tenant may get (a larger one would only make priorities coarser). */
export const MAX_TENANT_WEIGHT = 1000;

/**
 * Everything an operator sets per tenant at run time, stored in Redis and read by every worker: daily
 * budgets (from {@link TenantBudgets}), and the scheduling settings: weight, concurrency cap, rate-limit
 * share. `producer.tenants.setWeight('acme', 2)` takes effect for steps queued from then on.
 */
export class TenantControls extends TenantBudgets {
  async setWeight(tenant: string, weight: number | null): Promise<TenantSettings> {
    if (weight !== null && !(Number.isFinite(weight) && weight > 0 && weight <= MAX_TENANT_WEIGHT)) {
      throw new RangeError(`tenant weight must be a number in (0, ${MAX_TENANT_WEIGHT}], got ${weight}`);
    }
    return this.setField(tenant, 'weight', weight);
  }

  async setMaxConcurrency(tenant: string, max: number | null): Promise<TenantSettings> {
    if (max !== null && !(Number.isInteger(max) && max > 0)) throw new RangeError(`tenant maxConcurrency must be a positive integer, got ${max}`);
    return this.setField(tenant, 'maxConcurrency', max);
  }

  async setShare(tenant: string, share: number | null): Promise<TenantSettings> {
    if (share !== null && !(Number.isFinite(share) && share > 0 && share <= 1)) throw new RangeError(`tenant share must be in (0, 1], got ${share}`);
    return this.setField(tenant, 'share', share);
  }

  async settings(tenant: string): Promise<TenantSettings> {
    const [weight, max, share] = await this.redis.hmget(this.keys.tenantSettings(tenant), 'weight', 'maxConcurrency', 'share');
    return {
      ...(weight ? { weight: Number(weight) } : {}),
      ...(max ? { maxConcurrency: Number(max) } : {}),
      ...(share ? { share: Number(share) } : {}),
    };
  }

  /** Every tenant with scheduling settings, with them. */
  async list(): Promise<Array<{ tenant: string } & TenantSettings>> {
    const tenants = (await this.redis.smembers(this.keys.tenantIndex())).sort();
    return Promise.all(tenants.map(async (tenant) => ({ tenant, ...(await this.settings(tenant)) })));
  }

  private async setField(tenant: string, field: keyof TenantSettings, value: number | null): Promise<TenantSettings> {
    const key = this.keys.tenantSettings(tenant);
    if (value === null) await this.redis.hdel(key, field);
    // Two slots (the tenant's tag, the index): two commands sent together, not one pipeline.
    else await Promise.all([this.redis.hset(key, field, String(value)), this.redis.sadd(this.keys.tenantIndex(), tenant)]);
    return this.settings(tenant);
  }
}
