import type { Limits } from '../schemas/limits.js';
import type { Session, SessionError } from '../schemas/session.js';
import { type BudgetCode, budgetError } from './budget-code.js';

/** Share of a budget after which the model is told to wrap up. */
export const BUDGET_WARNING_RATIO = 0.8;

export interface BudgetReading {
  code: BudgetCode;
  limit: number;
  used: number;
}

/** How much of each of its set budgets a session has used at the start of `step` (cost in USD, deadline in ms). */
export function readSessionBudgets(session: Session, limits: Limits, step: number, now: number = Date.now()): BudgetReading[] {
  const u = session.usage;
  const input = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  const out: BudgetReading[] = [{ code: 'max_steps', limit: limits.maxSteps, used: step }];
  if (limits.maxInputTokens !== undefined) out.push({ code: 'max_input_tokens', limit: limits.maxInputTokens, used: input });
  if (limits.maxOutputTokens !== undefined) out.push({ code: 'max_output_tokens', limit: limits.maxOutputTokens, used: u.outputTokens });
  if (limits.maxTokens !== undefined) out.push({ code: 'max_tokens_total', limit: limits.maxTokens, used: input + u.outputTokens });
  if (limits.maxCostUsd !== undefined) out.push({ code: 'max_cost', limit: limits.maxCostUsd, used: u.costUsd });
  if (limits.deadlineMs !== undefined) out.push({ code: 'deadline', limit: limits.deadlineMs, used: now - session.createdAt });
  return out;
}

/**
 * The first budget already spent before a step starts: steps and deadline are spent at their limit, token
 * and cost budgets once usage reached the limit (a call that would pass one is refused at admission).
 */
export function spentSessionBudget(readings: BudgetReading[]): SessionError | undefined {
  for (const r of readings) {
    const spent = r.code === 'deadline' ? r.used > r.limit : r.used >= r.limit;
    if (spent) return budgetError(r.code, r.limit, r.used);
  }
  return undefined;
}

/** Budgets at or past {@link BUDGET_WARNING_RATIO} of their limit. */
export function nearBudgets(readings: BudgetReading[], ratio = BUDGET_WARNING_RATIO): BudgetReading[] {
  return readings.filter((r) => r.limit > 0 && r.used / r.limit >= ratio);
}

/** The line the model reads in its system prompt when budgets run low, so it can conclude in time. */
export function budgetNote(near: BudgetReading[]): string | undefined {
  if (near.length === 0) return undefined;
  const parts = near.map((r) => `${describe(r.code)}: ${Math.round((r.used / r.limit) * 100)}% used`);
  return `Budget notice: this session is close to its limits (${parts.join('; ')}). Wrap up now: finish with the best answer you can give from what you already know, using as few further tool calls as possible.`;
}

function describe(code: BudgetCode): string {
  switch (code) {
    case 'max_steps':
      return 'steps';
    case 'max_input_tokens':
      return 'input tokens';
    case 'max_output_tokens':
      return 'output tokens';
    case 'max_tokens_total':
      return 'tokens';
    case 'max_cost':
      return 'cost';
    case 'deadline':
      return 'time';
    case 'tenant_tokens':
      return "your organisation's daily tokens";
    case 'tenant_cost':
      return "your organisation's daily spend";
  }
}
