import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { GEN_AI } from './gen-ai-attributes.js';
import { recordError } from './trace-step.js';
import { agentqTracer } from './tracer.js';

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
  const span = agentqTracer().startSpan(`execute_tool ${info.tool}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      [GEN_AI.operationName]: 'execute_tool',
      [GEN_AI.toolName]: info.tool,
      [GEN_AI.toolCallId]: info.toolUseId,
      [GEN_AI.toolType]: 'function',
      [GEN_AI.conversationId]: info.sessionId,
    },
  });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), run);
    if (result.outcome?.isError) {
      span.setAttribute(GEN_AI.errorType, result.outcome.errorCode ?? 'tool_error');
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return result;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
