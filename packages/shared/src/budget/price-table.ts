/**
 * US dollars per million tokens, from the official pricing page (platform.claude.com, "Model pricing",
 * "Batch processing", "Feature-specific pricing → Prompt caching"). Cache writes and reads default to the
 * page's multipliers of the input price (5-minute write 1.25×, 1-hour write 2×, read 0.1×) and batch to its
 * 50% discount; a model whose row differs says so.
 */
export interface ModelPrice {
  input: number;
  output: number;
  /** @defaultValue 1.25 × input */
  cacheWrite5m?: number;
  /** @defaultValue 2 × input */
  cacheWrite1h?: number;
  /** @defaultValue 0.1 × input */
  cacheRead?: number;
  /** Multiplier of every rate for a Message Batches call. @defaultValue 0.5 */
  batchFactor?: number;
  /** A higher price for requests whose prompt (input + cache reads and writes) is over `aboveTokens`. */
  longPrompt?: { aboveTokens: number; price: Omit<ModelPrice, 'longPrompt'> };
}

export const CACHE_WRITE_5M_FACTOR = 1.25;
export const CACHE_WRITE_1H_FACTOR = 2;
export const CACHE_READ_FACTOR = 0.1;
/** The Message Batches API bills every token at half the standard rate. */
export const BATCH_FACTOR = 0.5;

/**
 * The current lineup and the models still served, by model id; a key matches the id itself and its dated
 * snapshots (`claude-haiku-4-5-20251001`). A key ending in `*` matches every id it begins (for custom prices).
 */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  'claude-fable-5-1': { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
  'claude-mythos-5-1': { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
  'claude-fable-5': { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 1 },
  'claude-mythos-5': { input: 10, output: 50, cacheWrite5m: 12.5, cacheWrite1h: 20, cacheRead: 1 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 },
  'claude-opus-5': { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  'claude-opus-4-8': { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  'claude-opus-4-7': { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  'claude-opus-4-6': { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  'claude-opus-4-5': { input: 5, output: 25, cacheWrite5m: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
  'claude-opus-4-1': { input: 15, output: 75, cacheWrite5m: 18.75, cacheWrite1h: 30, cacheRead: 1.5 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.1 },
  'claude-sonnet-5': { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite5m: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
  'claude-haiku-5-5': {
    input: 0.1,
    output: 0.5,
    cacheWrite5m: 0.125,
    cacheWrite1h: 0.2,
    cacheRead: 0.01,
    longPrompt: { aboveTokens: 100_000, price: { input: 0.5, output: 2.5, cacheWrite5m: 0.625, cacheWrite1h: 1, cacheRead: 0.05 } },
  },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.1 },
};

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** All cache writes; `cacheWrite1hTokens` of them at the 1-hour rate, the rest at the 5-minute rate. */
  cacheWriteTokens: number;
  cacheWrite1hTokens?: number;
}

export interface PriceLookup {
  price: ModelPrice;
  /** False when no entry matched: `price` is then the highest rate of the table (fail closed). */
  known: boolean;
}

const SNAPSHOT_DATE = /^-\d{8}$/;

// Runs for every key on every model call: string checks, not a RegExp built per key.
function matches(key: string, model: string): boolean {
  if (key.endsWith('*')) return model.startsWith(key.slice(0, -1));
  return model === key || (model.startsWith(key) && SNAPSHOT_DATE.test(model.slice(key.length)));
}

/** The highest rate of every kind in `table`: what an unknown model is charged, so a budget never under-counts. */
export function highestPrice(table: Record<string, ModelPrice>): ModelPrice {
  const all = Object.values(table).flatMap((p) => (p.longPrompt ? [p, p.longPrompt.price] : [p]));
  const max = (f: (p: ModelPrice) => number) => Math.max(...all.map(f));
  return {
    input: max((p) => p.input),
    output: max((p) => p.output),
    cacheWrite5m: max(write5m),
    cacheWrite1h: max(write1h),
    cacheRead: max(read),
    batchFactor: max((p) => p.batchFactor ?? BATCH_FACTOR),
  };
}

/** The entry for `model`: its own key (or a `*` prefix, the longest winning), else the highest rate of the table. */
export function lookupPrice(model: string, table: Record<string, ModelPrice> = DEFAULT_PRICES): PriceLookup {
  let best: ModelPrice | undefined;
  let bestLen = -1;
  for (const [key, price] of Object.entries(table)) {
    if (matches(key, model) && key.length > bestLen) {
      best = price;
      bestLen = key.length;
    }
  }
  return best ? { price: best, known: true } : { price: highestPrice(table), known: false };
}

export function priceFor(model: string, table: Record<string, ModelPrice> = DEFAULT_PRICES): ModelPrice {
  return lookupPrice(model, table).price;
}

const write5m = (p: Omit<ModelPrice, 'longPrompt'>) => p.cacheWrite5m ?? p.input * CACHE_WRITE_5M_FACTOR;
const write1h = (p: Omit<ModelPrice, 'longPrompt'>) => p.cacheWrite1h ?? p.input * CACHE_WRITE_1H_FACTOR;
const read = (p: Omit<ModelPrice, 'longPrompt'>) => p.cacheRead ?? p.input * CACHE_READ_FACTOR;

/**
 * Cost in integer micro-dollars (rounded up), so the fleet can add it up with HINCRBY and never drift.
 * `batch` prices the call at the model's batch rate.
 */
export function costMicroUsd(model: string, usage: TokenCounts, table?: Record<string, ModelPrice>, options: { batch?: boolean } = {}): number {
  const entry = priceFor(model, table);
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const price = entry.longPrompt && prompt > entry.longPrompt.aboveTokens ? { ...entry.longPrompt.price, batchFactor: entry.batchFactor } : entry;
  const oneHour = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
  const factor = options.batch ? (price.batchFactor ?? BATCH_FACTOR) : 1;
  return Math.ceil(
    factor *
      (usage.inputTokens * price.input +
        usage.outputTokens * price.output +
        usage.cacheReadTokens * read(price) +
        (usage.cacheWriteTokens - oneHour) * write5m(price) +
        oneHour * write1h(price)),
  );
}

/** What a prompt token may cost at most before the call (a fresh token is written to the cache at the 5-minute rate). */
export function promptTokenCeiling(price: ModelPrice): number {
  const base = Math.max(price.input, write5m(price));
  return price.longPrompt ? Math.max(base, price.longPrompt.price.input, write5m(price.longPrompt.price)) : base;
}

/** Web search, a server tool, bills per search on top of tokens: $10 per 1,000 searches (pricing page). */
export const WEB_SEARCH_MICRO_USD = 10_000;

/** Code execution bills container time, not tokens: $0.05 per container-hour (pricing page, "Code execution tool"). */
export const CODE_EXECUTION_MICRO_USD_PER_HOUR = 50_000;
/** Each execution bills at least 5 minutes of container time (pricing page). */
export const CODE_EXECUTION_MIN_MINUTES = 5;

// The result blocks that say code ran in a container (Python, bash, or the container's text editor).
const CODE_EXECUTION_RESULTS = new Set(['code_execution_tool_result', 'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result']);

/** What a response's server tools need to be priced: its usage and its content blocks. */
export interface ServerToolCall {
  usage: { server_tool_use?: { web_search_requests?: number | null } | null };
  content?: ReadonlyArray<{ type: string }>;
}

/**
 * What a call's server tools cost beyond tokens: web searches from `usage.server_tool_use`, and container time
 * for each code execution result in the content, at the 5-minute minimum an execution bills (the API reports no
 * duration; the organisation's free daily hours are not deducted, so a budget errs high, never low). Web fetch
 * and the blocks server tools return bill as tokens.
 */
export function serverToolMicroUsd(call: ServerToolCall, options: { batch?: boolean } = {}): number {
  const searches = call.usage.server_tool_use?.web_search_requests ?? 0;
  const executions = (call.content ?? []).filter((b) => CODE_EXECUTION_RESULTS.has(b.type)).length;
  const container = (executions * CODE_EXECUTION_MIN_MINUTES * CODE_EXECUTION_MICRO_USD_PER_HOUR) / 60;
  return Math.ceil(searches * WEB_SEARCH_MICRO_USD * (options.batch ? BATCH_FACTOR : 1) + container);
}
