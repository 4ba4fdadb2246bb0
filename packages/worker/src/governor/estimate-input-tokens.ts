import type { MessageCreateParams } from '../model/model-client.js';

/**
 * A quick, deliberately generous estimate of a request's input tokens: a quarter of the characters of its
 * system prompt, messages and tool definitions as JSON. The governor reserves this before the call and gives
 * back the difference once the real `usage` is known, so erring high only delays, never overshoots.
 */
export function estimateInputTokens(params: Pick<MessageCreateParams, 'system' | 'messages' | 'tools'>): number {
  let chars = 0;
  if (typeof params.system === 'string') chars += params.system.length;
  else if (params.system) chars += JSON.stringify(params.system).length;
  chars += JSON.stringify(params.messages).length;
  if (params.tools) chars += JSON.stringify(params.tools).length;
  return Math.max(1, Math.ceil(chars / 4));
}
