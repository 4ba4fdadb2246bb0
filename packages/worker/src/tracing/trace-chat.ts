import { context, SpanKind } from '@opentelemetry/api';
import type { ModelCallResult } from '../model/model-client.js';
import { GEN_AI } from './gen-ai-attributes.js';
import { genAiBase, inSpan } from './in-span.js';

export interface ChatTraceInfo {
  sessionId: string;
  model: string;
  maxTokens: number;
}

/**
 * Runs one model call inside a `chat {model}` client span (GenAI conventions: request and response model,
 * response id, finish reason, token usage with cache reads and writes; input tokens count all of them, as the
 * conventions ask). Without `info` (tracing off) it only calls `call`.
 */
export async function traceChat(info: ChatTraceInfo | undefined, call: () => Promise<ModelCallResult>): Promise<ModelCallResult> {
  if (!info) return call();
  const attributes = { ...genAiBase('chat', info.sessionId), [GEN_AI.requestModel]: info.model, [GEN_AI.requestMaxTokens]: info.maxTokens };
  return inSpan(`chat ${info.model}`, { kind: SpanKind.CLIENT, attributes }, context.active(), call, (span, { message }) => {
    const usage = message.usage;
    const cacheRead = usage.cache_read_input_tokens ?? 0;
    const cacheWrite = usage.cache_creation_input_tokens ?? 0;
    span.setAttributes({
      [GEN_AI.responseModel]: message.model,
      [GEN_AI.responseId]: message.id,
      [GEN_AI.finishReasons]: message.stop_reason ? [message.stop_reason] : [],
      [GEN_AI.inputTokens]: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
      [GEN_AI.outputTokens]: usage.output_tokens ?? 0,
      [GEN_AI.cacheReadTokens]: cacheRead,
      [GEN_AI.cacheWriteTokens]: cacheWrite,
    });
  });
}
