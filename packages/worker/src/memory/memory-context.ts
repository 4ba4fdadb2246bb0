import type { Agent, BudgetLedger, Stores } from '@agentq/shared';
import type { PriceSettings } from '../budget/budget-context.js';
import type { Governor } from '../governor/governor.js';
import type { ModelClient } from '../model/model-client.js';
import type { StepScope } from '../step-scope.js';

/**
 * What working memory may see of the step it runs in: the session, its agent and limits, the step's event
 * emitter, and the clients a summary call goes through (model, governor, budget ledger). The step's context
 * satisfies it; memory never sees the rest of the step (its job, events buffer, tenant slot), so it does not
 * depend on the step. The step's checkpoint is passed in as its load read it.
 */
export interface MemoryContext extends StepScope {
  agent: Pick<Agent, 'model' | 'system' | 'tools'>;
  deps: {
    stores: Stores;
    model: ModelClient;
    /** Paces the summary call like the step's own; absent = off. */
    governor?: Governor | undefined;
    /** Settles the summary call's usage against the tenant's daily budget. */
    ledger: BudgetLedger;
    settings: PriceSettings;
    shutdownSignal: AbortSignal;
  };
}
