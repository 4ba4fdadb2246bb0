import { z } from 'zod';
import { Risk } from './risk.js';

/**
 * How an agent asks the model to think. `adaptive`: the model decides when and how much (the current
 * models; some think adaptively always). `enabled`: manual extended thinking with a token budget (≥ 1024;
 * the request's `max_tokens` must exceed it). `disabled`: no thinking where the model allows it.
 * Thinking tokens bill as output and count against the session's token and cost budgets.
 */
export const ThinkingOption = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('adaptive'), display: z.enum(['summarized', 'omitted']).optional() }),
  z.strictObject({
    type: z.literal('enabled'),
    budgetTokens: z.number().int().min(1024, 'thinking.budgetTokens must be at least 1024 (the API minimum)'),
    display: z.enum(['summarized', 'omitted']).optional(),
  }),
  z.strictObject({ type: z.literal('disabled') }),
]);
export type ThinkingOption = z.infer<typeof ThinkingOption>;

/** `output_config.effort`, on the models that support it (the models overview lists each model's default). */
export const EffortOption = z.enum(['low', 'medium', 'high', 'xhigh', 'max']);
export type EffortOption = z.infer<typeof EffortOption>;

/** `tool_choice`, passed through. */
export const ToolChoiceOption = z.union([
  z.strictObject({ type: z.enum(['auto', 'any']), disableParallelToolUse: z.boolean().optional() }),
  z.strictObject({ type: z.literal('tool'), name: z.string().min(1), disableParallelToolUse: z.boolean().optional() }),
  z.strictObject({ type: z.literal('none') }),
]);
export type ToolChoiceOption = z.infer<typeof ToolChoiceOption>;

/** Structured output: `output_config.format` with a JSON schema the final answer must follow. */
export const OutputFormatOption = z.strictObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) });
export type OutputFormatOption = z.infer<typeof OutputFormatOption>;

/** `service_tier`: `auto` uses priority capacity when the account has it; `standard_only` never does. */
export const ServiceTierOption = z.enum(['auto', 'standard_only']);
export type ServiceTierOption = z.infer<typeof ServiceTierOption>;

/**
 * A tool Anthropic runs on its side (web search, web fetch, code execution). It is declared with a risk
 * tier like a client tool; since no worker can park it mid-call, a server tool above the session's
 * `limits.maxAutoRisk` is gated before the call: it is left out of the request.
 */
export const ServerToolOption = z.strictObject({
  kind: z.enum(['web_search', 'web_fetch', 'code_execution']),
  risk: Risk,
  /** Uses per request (web search and fetch). */
  maxUses: z.number().int().positive().optional(),
  allowedDomains: z.array(z.string().min(1)).optional(),
});
export type ServerToolOption = z.infer<typeof ServerToolOption>;
