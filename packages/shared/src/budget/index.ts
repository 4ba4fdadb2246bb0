export { BATCH_FACTOR, costMicroUsd, DEFAULT_PRICES, highestPrice, lookupPrice, priceFor, promptTokenCeiling, serverToolMicroUsd, WEB_SEARCH_MICRO_USD, type ModelPrice, type PriceLookup, type TokenCounts } from './price-table.js';
export { BUDGET_CODES, type BudgetCode, budgetError, isBudgetCode } from './budget-code.js';
export { BudgetExceededError } from './budget-exceeded-error.js';
export { type Admission, BudgetLedger, type CallEstimate, MIN_OUTPUT_TOKENS, RESERVATION_TTL_MS } from './budget-ledger.js';
export { estimateInputTokens } from './estimate-tokens.js';
export {
  BUDGET_WARNING_RATIO,
  type BudgetReading,
  budgetNote,
  nearBudgets,
  readSessionBudgets,
  spentSessionBudget,
} from './session-budgets.js';
export { type TenantBudget, TenantBudgets, type TenantUsage } from './tenant-budgets.js';
export { utcDay } from './utc-day.js';
