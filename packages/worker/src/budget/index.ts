export { admitModelCall, type CallBudget, ledgerOf, pricesOf, settleCheckpointedCall } from './model-call-budget.js';
export { checkStepBudgets, type StepBudgets } from './step-budgets.js';
