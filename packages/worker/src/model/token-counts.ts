import type { TokenCounts } from '@agentq/shared';
import type { ModelMessage } from './model-client.js';

/**
 * The four token counts agentq bills and budgets by, from a response's `usage` (absent fields are 0), and the
 * share of cache writes made at the 1-hour rate. Thinking tokens are part of `output_tokens`.
 */
export function tokenCounts(usage: ModelMessage['usage']): TokenCounts {
  const oneHour = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
    ...(oneHour > 0 ? { cacheWrite1hTokens: oneHour } : {}),
  };
}
