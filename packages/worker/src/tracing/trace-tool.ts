import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { GEN_AI } from './gen-ai-attributes.js';
import { genAiBase, inSpan } from './in-span.js';

export interface ToolTraceInfo {
  sessionId: string;
  tool: string;
  toolUseId: string;
}

/**
 * Runs one tool call inside an `execute_tool {tool}` span. A call that ends in an error result (the model is
 * told, the step goes on) marks the span failed with the result's error code as `error.type`; a deferred call
 * (no outcome yet) ends the span unmarked. Without `info` (tracing off) it only calls `run`.
 */
export async function traceTool<T extends { outcome?: { isError: boolean; errorCode?: string | undefined } | undefined }>(
  info: ToolTraceInfo | undefined,
  run: () => Promise<T>,
): Promise<T> {
  if (!info) return run();
  const attributes = {
    ...genAiBase('execute_tool', info.sessionId),
    [GEN_AI.toolName]: info.tool,
    [GEN_AI.toolCallId]: info.toolUseId,
    [GEN_AI.toolType]: 'function',
  };
  return inSpan(`execute_tool ${info.tool}`, { kind: SpanKind.INTERNAL, attributes }, context.active(), run, (span, result) => {
    if (!result.outcome?.isError) return;
    span.setAttribute(GEN_AI.errorType, result.outcome.errorCode ?? 'tool_error');
    span.setStatus({ code: SpanStatusCode.ERROR });
  });
}
