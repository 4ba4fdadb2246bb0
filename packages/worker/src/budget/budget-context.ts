import type { Agent, BudgetLedger, ModelPrice, Stores, TenantBudgets } from '@agentq/shared';
import type { StepScope } from '../step-scope.js';

/** The worker's price settings a budget charges calls at (the step's settings carry them). */
export interface PriceSettings {
  /** Prices per model-name prefix laid over the built-in table. @defaultValue DEFAULT_PRICES of @agentq/shared */
  prices?: Record<string, ModelPrice>;
  /** What a model with no price gets: the table's highest rate, or a refusal. @defaultValue 'highest' */
  unknownModels?: 'highest' | 'refuse';
}

/**
 * What a budget check may see of the step it runs in: the session and its limits, the step's event emitter,
 * and the ledgers the worker built once at start-up. The step's context satisfies it; budgets never see the
 * rest of the step (its job, history, model client), so they do not depend on the step.
 */
export interface BudgetContext extends StepScope {
  agent: Pick<Agent, 'model'>;
  deps: {
    stores: Stores;
    /** Session and tenant reservations of model calls. */
    ledger: BudgetLedger;
    /** Tenants' daily budgets and usage. */
    tenantBudgets: TenantBudgets;
    settings: PriceSettings;
  };
}
