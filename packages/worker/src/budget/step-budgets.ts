import { type BudgetReading, budgetError, budgetNote, nearBudgets, readSessionBudgets, type SessionError, spentSessionBudget } from '@agentq/shared';
import type { BudgetContext } from './budget-context.js';

export interface StepBudgets {
  /** A budget already spent: the session ends `budget_exceeded` before any call. */
  stop?: SessionError;
  /** A notice telling the model to wrap up, at the step where a budget first reaches 80%. */
  notes: string[];
}

/**
 * The budgets at the start of a step: steps, deadline, the session's tokens and cost, and the tenant's
 * day. A budget reaching 80% fires `budget_warning` and yields a notice (sent as appended user content) once
 * per session and budget: the step that first saw it, also when that step is retried.
 */
export async function checkStepBudgets(ctx: BudgetContext): Promise<StepBudgets> {
  const { session, limits, step, deps } = ctx;
  const readings = readSessionBudgets(session, limits, step);
  const spent = spentSessionBudget(readings);
  if (spent) return { stop: spent, notes: [] };

  if (session.tenant) {
    const tenants = deps.tenantBudgets;
    const [budget, usage] = await Promise.all([tenants.getBudget(session.tenant), tenants.usage(session.tenant)]);
    const tenantReadings: BudgetReading[] = [];
    if (budget.dailyTokens !== undefined) tenantReadings.push({ code: 'tenant_tokens', limit: budget.dailyTokens, used: usage.tokens });
    if (budget.dailyCostUsd !== undefined) tenantReadings.push({ code: 'tenant_cost', limit: budget.dailyCostUsd, used: usage.costUsd });
    const spentTenant = tenantReadings.find((r) => r.used >= r.limit);
    if (spentTenant) return { stop: budgetError(spentTenant.code, spentTenant.limit, spentTenant.used, { tenant: session.tenant, day: usage.day }), notes: [] };
    readings.push(...tenantReadings);
  }

  const near = nearBudgets(readings);
  const fresh: BudgetReading[] = [];
  for (const reading of near) {
    // One warning per session and budget, however many steps (or workers) see it.
    const field = `budgetWarned:${reading.code}`;
    const first = await deps.stores.redis.hsetnx(deps.stores.keys.session(session.sessionId), field, String(step));
    if (first === 1) {
      await ctx.emit('budget_warning', {
        budget: reading.code,
        limit: reading.limit,
        used: reading.used,
        ratio: Math.round((reading.used / reading.limit) * 1000) / 1000,
      });
      fresh.push(reading);
    } else if ((await deps.stores.redis.hget(deps.stores.keys.session(session.sessionId), field)) === String(step)) {
      fresh.push(reading);
    }
  }
  const note = budgetNote(fresh);
  return { notes: note ? [note] : [] };
}
