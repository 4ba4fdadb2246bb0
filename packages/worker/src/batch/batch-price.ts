import { costMicroUsd, type ModelPrice, type TokenCounts } from '@agentq/shared';

/** The Message Batches API bills every token class at half the price of the same call made directly. */
export const BATCH_PRICE_FACTOR = 0.5;

/** What a batch-lane call costs, and what the same call would have cost directly (integer micro-dollars). */
export function batchCost(model: string, usage: TokenCounts, prices: Record<string, ModelPrice>): { costMicroUsd: number; fullMicroUsd: number } {
  const full = costMicroUsd(model, usage, prices);
  return { costMicroUsd: Math.ceil(full * BATCH_PRICE_FACTOR), fullMicroUsd: full };
}
