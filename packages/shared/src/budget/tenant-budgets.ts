import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { utcDay } from './utc-day.js';

/** A tenant's daily budget; an absent field means no limit. */
export interface TenantBudget {
  /** Input (cache reads and writes included) + output tokens per UTC day. */
  dailyTokens?: number;
  /** US dollars per UTC day, from the price table. */
  dailyCostUsd?: number;
}

export interface TenantUsage {
  day: string;
  calls: number;
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Promised to model calls in flight right now. */
  reservedTokens: number;
  reservedCostUsd: number;
}

/**
 * Tenant daily budgets, stored in Redis so an operator can set or change them at run time
 * (`producer.tenants.setBudget('acme', { dailyTokens: 2e6, dailyCostUsd: 50 })`); every worker reads them
 * at each model call.
 */
export class TenantBudgets {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** Sets the given limits (merging with the stored ones); `null` removes a limit. */
  async setBudget(tenant: string, budget: { dailyTokens?: number | null; dailyCostUsd?: number | null }): Promise<TenantBudget> {
    const key = this.keys.tenantBudget(tenant);
    const set: Record<string, string> = {};
    const del: string[] = [];
    if (budget.dailyTokens !== undefined) {
      if (budget.dailyTokens === null) del.push('dailyTokens');
      else set.dailyTokens = String(positiveInt(budget.dailyTokens, 'dailyTokens'));
    }
    if (budget.dailyCostUsd !== undefined) {
      if (budget.dailyCostUsd === null) del.push('dailyCostMicroUsd');
      else set.dailyCostMicroUsd = String(Math.floor(positive(budget.dailyCostUsd, 'dailyCostUsd') * 1_000_000));
    }
    const pipeline = this.redis.pipeline();
    if (Object.keys(set).length > 0) pipeline.hset(key, set);
    if (del.length > 0) pipeline.hdel(key, ...del);
    await pipeline.exec();
    return this.getBudget(tenant);
  }

  async getBudget(tenant: string): Promise<TenantBudget> {
    const [tokens, cost] = await this.redis.hmget(this.keys.tenantBudget(tenant), 'dailyTokens', 'dailyCostMicroUsd');
    return {
      ...(tokens ? { dailyTokens: Number(tokens) } : {}),
      ...(cost ? { dailyCostUsd: Number(cost) / 1_000_000 } : {}),
    };
  }

  async clearBudget(tenant: string): Promise<void> {
    await this.redis.del(this.keys.tenantBudget(tenant));
  }

  /** Usage of one UTC day (today by default). */
  async usage(tenant: string, day: string = utcDay()): Promise<TenantUsage> {
    const fields = ['calls', 'tokens', 'inputTokens', 'outputTokens', 'costMicroUsd', 'reservedTokens', 'reservedCostMicroUsd'] as const;
    const values = (await this.redis.hmget(this.keys.tenantUsage(tenant, day), ...fields)).map((v) => Number(v ?? 0));
    const [calls, tokens, inputTokens, outputTokens, cost, reservedTokens, reservedCost] = values as [number, number, number, number, number, number, number];
    return { day, calls, tokens, inputTokens, outputTokens, costUsd: cost / 1_000_000, reservedTokens, reservedCostUsd: reservedCost / 1_000_000 };
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`tenant budget ${name} must be a positive number, got ${value}`);
  return value;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`tenant budget ${name} must be a positive integer, got ${value}`);
  return value;
}
