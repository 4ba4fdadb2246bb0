import type { ChatMessage, ContentBlock } from '@agentq/shared';

/**
 * A first guess at token counts: 4 characters a token for text, the JSON of any other block. It is only a
 * guess: the window multiplies it by a ratio calibrated from the usage the API reported for the previous
 * step (see {@link calibrationRatio}), or by a `count_tokens` answer when `memory.countTokens` is on.
 */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** An image costs about this much whatever its base64 size (the API scales large images down). */
export const IMAGE_TOKENS = 1600;

export function estimateBlockTokens(block: ContentBlock): number {
  if (block.type === 'text' && typeof block.text === 'string') return estimateTextTokens(block.text);
  if (block.type === 'image') return IMAGE_TOKENS;
  if (block.type === 'tool_result' && Array.isArray(block.content)) {
    // A result of content blocks (a screenshot, a document) counts by its parts, not its base64 JSON.
    return 10 + (block.content as ContentBlock[]).reduce((sum, b) => sum + estimateBlockTokens(b), 0);
  }
  return estimateTextTokens(JSON.stringify(block));
}

export function estimateMessageTokens(message: ChatMessage): number {
  if (typeof message.content === 'string') return estimateTextTokens(message.content);
  let tokens = 0;
  for (const block of message.content) tokens += estimateBlockTokens(block);
  return tokens;
}

/** Tokens of the prompt's fixed part: tool definitions and system blocks. */
export function estimatePrefixTokens(system: string[], tools: unknown[]): number {
  let tokens = 0;
  for (const text of system) tokens += estimateTextTokens(text);
  for (const tool of tools) tokens += estimateTextTokens(JSON.stringify(tool));
  return tokens;
}

// A ratio far from 1 means a tokenizer very unlike chars/4 or a bad reading; clamp so one odd step cannot
// collapse or blow up the window.
const MIN_RATIO = 0.5;
const MAX_RATIO = 4;

/** Reported tokens ÷ estimated tokens of one sent prompt, clamped; 1 when either is unknown. */
export function calibrationRatio(reportedTokens: number | undefined, estimatedTokens: number | undefined): number {
  if (!reportedTokens || !estimatedTokens || reportedTokens <= 0 || estimatedTokens <= 0) return 1;
  return Math.min(MAX_RATIO, Math.max(MIN_RATIO, reportedTokens / estimatedTokens));
}
