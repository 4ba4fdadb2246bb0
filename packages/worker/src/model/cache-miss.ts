import type Anthropic from '@anthropic-ai/sdk';

export type CacheMissReason = 'first_call' | 'fold_changed_prefix' | 'model_changed' | 'expired_or_below_minimum';

/**
 * Why a step's call read nothing from the prompt cache, when it read nothing. The conversation is
 * append-only between folds and carries a breakpoint, so any step after the first should read at least the
 * previous step's prefix; a miss is the first call, a fold, a model switch (caches are per model), or an
 * entry that expired (5 minutes without a read: a long approval or tool wait) or a prefix shorter than the
 * model's minimum cacheable length.
 */
export function cacheMissReason(input: { step: number; usage: Anthropic.Usage; folded: boolean; modelChanged: boolean }): CacheMissReason | undefined {
  if ((input.usage.cache_read_input_tokens ?? 0) > 0) return undefined;
  if (input.modelChanged) return 'model_changed';
  if (input.step === 0) return 'first_call';
  if (input.folded) return 'fold_changed_prefix';
  return 'expired_or_below_minimum';
}
