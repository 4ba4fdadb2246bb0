import { describe, expect, it } from 'vitest';
import { costMicroUsd, DEFAULT_PRICES, highestPrice, lookupPrice, priceFor, serverToolMicroUsd } from './price-table.js';

/**
 * The pricing page's rows (USD per million tokens: input, 5-minute write, 1-hour write, cache read, output)
 * for every model of the installed SDK's `Model` list that the page prices.
 */
const PAGE: Record<string, [number, number, number, number, number]> = {
  'claude-fable-5-1': [10, 12.5, 20, 0.25, 50],
  'claude-mythos-5-1': [10, 12.5, 20, 0.25, 50],
  'claude-fable-5': [10, 12.5, 20, 1, 50],
  'claude-mythos-5': [10, 12.5, 20, 1, 50],
  'claude-opus-5-5': [4, 5, 8, 0.2, 20],
  'claude-opus-5': [5, 6.25, 10, 0.5, 25],
  'claude-opus-4-8': [5, 6.25, 10, 0.5, 25],
  'claude-opus-4-7': [5, 6.25, 10, 0.5, 25],
  'claude-opus-4-6': [5, 6.25, 10, 0.5, 25],
  'claude-opus-4-5': [5, 6.25, 10, 0.5, 25],
  'claude-opus-4-5-20251101': [5, 6.25, 10, 0.5, 25],
  'claude-opus-4-1': [15, 18.75, 30, 1.5, 75],
  'claude-opus-4-1-20250805': [15, 18.75, 30, 1.5, 75],
  'claude-sonnet-5-5': [2, 2.5, 4, 0.1, 10],
  'claude-sonnet-5': [2, 2.5, 4, 0.2, 10],
  'claude-sonnet-4-6': [3, 3.75, 6, 0.3, 15],
  'claude-sonnet-4-5': [3, 3.75, 6, 0.3, 15],
  'claude-sonnet-4-5-20250929': [3, 3.75, 6, 0.3, 15],
  'claude-haiku-5-5': [0.1, 0.125, 0.2, 0.01, 0.5],
  'claude-haiku-4-5': [1, 1.25, 2, 0.1, 5],
  'claude-haiku-4-5-20251001': [1, 1.25, 2, 0.1, 5],
};
/** In the SDK's `Model` list but without a row on the pricing page: charged the highest rate until configured. */
const UNPRICED = ['claude-fable-5-2', 'claude-mythos-5-2', 'claude-mythos-preview'];

// 100k tokens of a kind cost rate × 100k micro-dollars (100k keeps Haiku 5.5 in its normal band).
const M = 100_000;

describe('price table', () => {
  it.each(Object.entries(PAGE))('%s is priced as the pricing page says', (model, [input, w5, w1, read, output]) => {
    const { known } = lookupPrice(model);
    expect(known).toBe(true);
    expect(costMicroUsd(model, { inputTokens: M, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 })).toBe(input * M);
    expect(costMicroUsd(model, { inputTokens: 0, outputTokens: M, cacheReadTokens: 0, cacheWriteTokens: 0 })).toBe(output * M);
    expect(costMicroUsd(model, { inputTokens: 0, outputTokens: 0, cacheReadTokens: M, cacheWriteTokens: 0 })).toBe(Math.ceil(read * M));
    expect(costMicroUsd(model, { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: M })).toBe(w5 * M);
    expect(costMicroUsd(model, { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: M, cacheWrite1hTokens: M })).toBe(w1 * M);
    // The Message Batches API halves every rate.
    expect(costMicroUsd(model, { inputTokens: M, outputTokens: M, cacheReadTokens: 0, cacheWriteTokens: 0 }, undefined, { batch: true })).toBe(
      ((input + output) * M) / 2,
    );
  });

  it('prices Haiku 5.5 prompts over 100k tokens at the long-prompt rate, output included', () => {
    const long = { inputTokens: 100_001, outputTokens: 1000, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(costMicroUsd('claude-haiku-5-5', long)).toBe(Math.ceil(100_001 * 0.5 + 1000 * 2.5));
  });

  // Unknown models used to "price as Sonnet": a 5× dearer model ran 5× past its maxCostUsd.
  it.each(UNPRICED.concat(['claude-nova-1', 'claude-sonnet-9']))('%s is unknown and charged the highest rate of every kind', (model) => {
    const { known, price } = lookupPrice(model);
    expect(known).toBe(false);
    expect(price).toEqual(highestPrice(DEFAULT_PRICES));
    for (const priced of Object.keys(PAGE)) {
      const usage = { inputTokens: 1000, outputTokens: 1000, cacheReadTokens: 1000, cacheWriteTokens: 1000, cacheWrite1hTokens: 500 };
      expect(costMicroUsd(model, usage)).toBeGreaterThanOrEqual(costMicroUsd(priced, usage));
    }
  });

  it('web searches bill $10 per 1,000 on top of tokens', () => {
    expect(serverToolMicroUsd({ usage: { server_tool_use: { web_search_requests: 3 } } })).toBe(30_000);
    expect(serverToolMicroUsd({ usage: { server_tool_use: null } })).toBe(0);
  });

  it('code execution bills $0.05 per container-hour, each execution at least 5 minutes', () => {
    const ran = { type: 'code_execution_tool_result' };
    const bash = { type: 'bash_code_execution_tool_result' };
    // 5 minutes of $0.05/hour = $0.0041666…, rounded up to whole micro-dollars.
    expect(serverToolMicroUsd({ usage: { server_tool_use: null }, content: [{ type: 'server_tool_use' }, ran, { type: 'text' }] })).toBe(4167);
    expect(serverToolMicroUsd({ usage: { server_tool_use: { web_search_requests: 1 } }, content: [ran, bash] })).toBe(10_000 + 8334);
  });

  it('custom prices: an exact id, or a `*` prefix', () => {
    const table = { ...DEFAULT_PRICES, 'claude-nova-*': { input: 1, output: 2 } };
    expect(priceFor('claude-nova-1', table)).toEqual({ input: 1, output: 2 });
    expect(costMicroUsd('claude-nova-1', { inputTokens: M, outputTokens: 0, cacheReadTokens: M, cacheWriteTokens: M }, table)).toBe(1 * M + 0.1 * M + 1.25 * M);
  });
});
