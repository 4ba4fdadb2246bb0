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

/**
 * An admitted call with the `max_tokens` the budgets leave it (`cutBy`: the budget that cut it below the
 * request, as the error the session ends with when the cut call cannot answer), or the budget refusing it.
 */
export type Admission =
  { ok: true; maxTokens: number; cutBy?: SessionError & { code: BudgetCode } } | { ok: false; error: SessionError & { code: BudgetCode } };

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
    // Without a session budget every call is admitted as asked: no script to run.
    if (limits.maxInputTokens === undefined && limits.maxOutputTokens === undefined && limits.maxTokens === undefined && limits.maxCostUsd === undefined) {
      return { ok: true, maxTokens: call.maxTokens };
    }
    const minOut = Math.min(MIN_OUTPUT_TOKENS, call.maxTokens);
    const reply = await runScript<Array<string | number>>(
      this.redis,
      'admitCall',
      [this.keys.session(sessionId)],
      [
        call.inputTokens,
        call.maxTokens,
        minOut,
        limits.maxInputTokens ?? -1,
        limits.maxOutputTokens ?? -1,
        limits.maxTokens ?? -1,
        limits.maxCostUsd === undefined ? -1 : Math.floor(limits.maxCostUsd * 1_000_000),
        promptTokenCeiling(call.price),
        call.price.output,
      ],
    );
    const sessionError = (code: BudgetCode, limit: number, used: number, requested: number) =>
      withCode(
        code === 'max_cost' ? budgetError(code, limit / 1e6, used / 1e6, { requestedTokens: requested }) : budgetError(code, limit, used, { requested }),
      );
    if (Number(reply[0]) === 1) {
      const maxTokens = Number(reply[1]);
      if (reply[2] === undefined) return { ok: true, maxTokens };
      return {
        ok: true,
        maxTokens,
        cutBy: sessionError(String(reply[2]) as BudgetCode, Number(reply[3]), Number(reply[4]), call.inputTokens + call.maxTokens),
      };
    }
    return { ok: false, error: sessionError(String(reply[1]) as BudgetCode, Number(reply[2]), Number(reply[3]), call.inputTokens + minOut) };
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
    const tenantError = (at: number, requested: number) => {
      const code = String(reply[at]) as BudgetCode;
      const [limit, used, reserved] = [Number(reply[at + 1]), Number(reply[at + 2]), Number(reply[at + 3])];
      return withCode(
        code === 'tenant_cost'
          ? budgetError(code, limit / 1e6, used / 1e6, { reserved: reserved / 1e6, tenant, day, requestedTokens: requested })
          : budgetError(code, limit, used, { reserved, tenant, day, requested }),
      );
    };
    if (Number(reply[0]) === 1) {
      const maxTokens = Number(reply[1]);
      return reply[2] === undefined ? { ok: true, maxTokens } : { ok: true, maxTokens, cutBy: tenantError(2, call.inputTokens + call.maxTokens) };
    }
    return { ok: false, error: tenantError(1, call.inputTokens + minOut) };
  }

  /** Replaces the reservation by the call's real usage, once per id. Returns whether it was counted now. */
  async settleTenant(tenant: string, day: string, id: string, usage: TokenCounts, costMicroUsd: number): Promise<boolean> {
    return this.endReservation(tenant, day, id, { mode: 'settle', usage, costMicroUsd });
  }

  /** Gives a reservation back without counting anything (the call failed or was not made). */
  async releaseTenant(tenant: string, day: string, id: string): Promise<void> {
    await this.endReservation(tenant, day, id, { mode: 'release' });
  }

  /** The one caller of settleTenant-2.lua. Returns whether usage was counted now. */
  private async endReservation(
    tenant: string,
    day: string,
    id: string,
    end: { mode: 'settle'; usage: TokenCounts; costMicroUsd: number } | { mode: 'release' },
  ): Promise<boolean> {
    const usage = end.mode === 'settle' ? end.usage : { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const counted = await runScript<number>(
      this.redis,
      'settleTenant',
      [this.keys.tenantUsage(tenant, day), this.keys.tenantReservations(tenant, day)],
      [
        id,
        end.mode,
        usage.inputTokens,
        usage.outputTokens,
        usage.cacheReadTokens,
        usage.cacheWriteTokens,
        end.mode === 'settle' ? end.costMicroUsd : 0,
        DAY_TTL_MS,
      ],
    );
    return Number(counted) === 1;
  }
}

function withCode(error: SessionError): SessionError & { code: BudgetCode } {
  return error as SessionError & { code: BudgetCode };
}
