import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';
import type { Limits } from '../schemas/limits.js';
import type { SessionError } from '../schemas/session.js';
import { type BudgetCode, budgetError } from './budget-code.js';
import { type ModelPrice, promptTokenCeiling, type TokenCounts } from './price-table.js';

/** A reservation not settled by then is given back (the worker that made it died mid-call). @defaultValue 15 min */
export const RESERVATION_TTL_MS = 15 * 60 * 1000;
/** A tenant's day keys live this long (yesterday stays readable for stats). */
const DAY_TTL_MS = 3 * 24 * 3600 * 1000;
/** The smallest `max_tokens` worth a call: below it the budget is treated as spent. */
export const MIN_OUTPUT_TOKENS = 64;

export type Admission = { ok: true; maxTokens: number } | { ok: false; error: SessionError & { code: BudgetCode } };

/** One model call as the ledger sees it. */
export interface CallEstimate {
  model: string;
  price: ModelPrice;
  inputTokens: number;
  maxTokens: number;
}

/**
 * The budget ledger: admits model calls against session budgets (the session's recorded usage) and
 * reserves them against tenant daily budgets, each in one Lua script so the whole fleet is exact.
 */
export class BudgetLedger {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** Cuts the call's `max_tokens` to what the session's budgets leave, or refuses it. */
  async admitSession(sessionId: string, limits: Limits, call: CallEstimate): Promise<Admission> {
    const minOut = Math.min(MIN_OUTPUT_TOKENS, call.maxTokens);
    const reply = await runScript<Array<string | number>>(this.redis, 'admitCall', [this.keys.session(sessionId)], [
      call.inputTokens,
      call.maxTokens,
      minOut,
      limits.maxInputTokens ?? -1,
      limits.maxOutputTokens ?? -1,
      limits.maxTokens ?? -1,
      limits.maxCostUsd === undefined ? -1 : Math.floor(limits.maxCostUsd * 1_000_000),
      promptTokenCeiling(call.price),
      call.price.output,
    ]);
    if (Number(reply[0]) === 1) return { ok: true, maxTokens: Number(reply[1]) };
    const code = String(reply[1]) as BudgetCode;
    const limit = Number(reply[2]);
    const used = Number(reply[3]);
    const requested = call.inputTokens + minOut;
    return code === 'max_cost'
      ? { ok: false, error: withCode(budgetError(code, limit / 1e6, used / 1e6, { requestedTokens: requested })) }
      : { ok: false, error: withCode(budgetError(code, limit, used, { requested })) };
  }

  /** Reserves the call against the tenant's daily budget (idempotent per id); may cut `max_tokens` further. */
  async reserveTenant(tenant: string, day: string, id: string, call: CallEstimate, now: number = Date.now()): Promise<Admission> {
    const minOut = Math.min(MIN_OUTPUT_TOKENS, call.maxTokens);
    const reply = await runScript<Array<string | number>>(
      this.redis,
      'reserveTenant',
      [this.keys.tenantBudget(tenant), this.keys.tenantUsage(tenant, day), this.keys.tenantReservations(tenant, day)],
      [id, call.inputTokens, call.maxTokens, minOut, promptTokenCeiling(call.price), call.price.output, now, now + RESERVATION_TTL_MS, DAY_TTL_MS],
    );
    if (Number(reply[0]) === 1) return { ok: true, maxTokens: Number(reply[1]) };
    const code = String(reply[1]) as BudgetCode;
    const [limit, used, reserved] = [Number(reply[2]), Number(reply[3]), Number(reply[4])];
    const error =
      code === 'tenant_cost'
        ? budgetError(code, limit / 1e6, used / 1e6, { reserved: reserved / 1e6, tenant, day, requestedTokens: call.inputTokens + minOut })
        : budgetError(code, limit, used, { reserved, tenant, day, requested: call.inputTokens + minOut });
    return { ok: false, error: withCode(error) };
  }

  /** Replaces the reservation by the call's real usage, once per id. Returns whether it was counted now. */
  async settleTenant(tenant: string, day: string, id: string, usage: TokenCounts, costMicroUsd: number): Promise<boolean> {
    const counted = await runScript<number>(
      this.redis,
      'settleTenant',
      [this.keys.tenantUsage(tenant, day), this.keys.tenantReservations(tenant, day)],
      [id, 'settle', usage.inputTokens, usage.outputTokens, usage.cacheReadTokens, usage.cacheWriteTokens, costMicroUsd, DAY_TTL_MS],
    );
    return Number(counted) === 1;
  }

  /** Gives a reservation back without counting anything (the call failed or was not made). */
  async releaseTenant(tenant: string, day: string, id: string): Promise<void> {
    await runScript(this.redis, 'settleTenant', [this.keys.tenantUsage(tenant, day), this.keys.tenantReservations(tenant, day)], [id, 'release', 0, 0, 0, 0, 0, DAY_TTL_MS]);
  }
}

function withCode(error: SessionError): SessionError & { code: BudgetCode } {
  return error as SessionError & { code: BudgetCode };
}
