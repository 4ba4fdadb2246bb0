import type { ErrorCode } from '../errors/error-codes.js';
import type { SessionError } from '../schemas/session.js';

/** The budgets a session can run out of; each is also the `error.code` of the `budget_exceeded` session. */
export const BUDGET_CODES = [
  'max_steps',
  'max_input_tokens',
  'max_output_tokens',
  'max_tokens_total',
  'max_cost',
  'deadline',
  'tenant_tokens',
  'tenant_cost',
] as const satisfies readonly ErrorCode[];
export type BudgetCode = (typeof BUDGET_CODES)[number];

export function isBudgetCode(code: string): code is BudgetCode {
  return (BUDGET_CODES as readonly string[]).includes(code);
}

const UNITS: Record<BudgetCode, string> = {
  max_steps: 'steps',
  max_input_tokens: 'input tokens',
  max_output_tokens: 'output tokens',
  max_tokens_total: 'tokens',
  max_cost: 'USD',
  deadline: 'ms',
  tenant_tokens: 'tokens today',
  tenant_cost: 'USD today',
};

/**
 * The session error of a spent budget: `details` carries the budget, its limit and the amount used (USD for
 * cost budgets, ms for the deadline), and `requested` when a call was refused because it would not fit.
 */
export function budgetError(code: BudgetCode, limit: number, used: number, extra: Record<string, unknown> = {}): SessionError {
  const unit = UNITS[code];
  const requested = typeof extra.requested === 'number' ? `; the next call needs up to ${round(extra.requested)} more` : '';
  return {
    code,
    message: `${code} budget exhausted: used ${round(used)} of ${round(limit)} ${unit}${requested}`,
    details: { budget: code, limit, used, unit, ...extra },
  };
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, '');
}
