/** US dollars per million tokens. Cache reads bill at 0.1× input, cache writes (5-minute) at 1.25× input. */
export interface ModelPrice {
  input: number;
  output: number;
}

export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'claude-opus': { input: 5, output: 25 },
  'claude-sonnet': { input: 3, output: 15 },
  'claude-haiku-4': { input: 1, output: 5 },
  'claude-haiku-3-5': { input: 0.8, output: 4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
};

const CACHE_READ_FACTOR = 0.1;
const CACHE_WRITE_FACTOR = 1.25;

/** Longest matching family prefix wins ("claude-haiku-4-5-20251001" → "claude-haiku-4"); unknown models price as Sonnet. */
export function priceFor(model: string, table: Record<string, ModelPrice> = DEFAULT_PRICES): ModelPrice {
  let best: ModelPrice | undefined;
  let bestLen = -1;
  for (const [prefix, price] of Object.entries(table)) {
    if (model.startsWith(prefix) && prefix.length > bestLen) {
      best = price;
      bestLen = prefix.length;
    }
  }
  return best ?? (DEFAULT_PRICES['claude-sonnet'] as ModelPrice);
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Cost in integer micro-dollars, so the fleet can add it up with HINCRBY and never drift. */
export function costMicroUsd(model: string, usage: TokenCounts, table?: Record<string, ModelPrice>): number {
  const price = priceFor(model, table);
  return Math.ceil(
    usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheReadTokens * price.input * CACHE_READ_FACTOR +
      usage.cacheWriteTokens * price.input * CACHE_WRITE_FACTOR,
  );
}
