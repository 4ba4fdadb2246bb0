import type { Generated } from './generate.js';
import type { CacheUsage } from './prompt-cache.js';
import { containerFor, serverToolUsage } from './server-tools.js';
import type { Message, Usage } from './wire-types.js';

export function buildUsage(cache: CacheUsage, outputTokens: number, thinkingTokens = 0, serverTools: Usage['server_tool_use'] = null): Usage {
  return {
    input_tokens: cache.inputTokens,
    cache_creation_input_tokens: cache.cacheCreation,
    cache_read_input_tokens: cache.cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: cache.creation5m, ephemeral_1h_input_tokens: cache.creation1h },
    output_tokens: outputTokens,
    output_tokens_details: thinkingTokens > 0 ? { thinking_tokens: thinkingTokens } : null,
    server_tool_use: serverTools,
    service_tier: 'standard',
    inference_geo: null,
    speed: 'standard',
  };
}

/** The non-streaming response body, field for field as the SDK's `Message` type declares it. */
export function buildMessage(
  id: string,
  model: string,
  generated: Generated,
  cache: CacheUsage,
  dropped: Message['input_transformations'] = [],
  conversation = '',
): Message {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: generated.content,
    stop_reason: generated.stopReason,
    stop_sequence: generated.stopSequence,
    stop_details: generated.stopDetails,
    container: containerFor(generated.content, conversation, Date.now()),
    diagnostics: null,
    usage: buildUsage(cache, generated.outputTokens, generated.thinkingTokens, serverToolUsage(generated.content)),
    ...(dropped.length > 0 ? { input_transformations: dropped } : {}),
  };
}
