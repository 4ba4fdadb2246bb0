import { type Attributes, context, type Context, type Span, type SpanOptions, SpanStatusCode, trace } from '@opentelemetry/api';
import { GEN_AI, PROVIDER } from './gen-ai-attributes.js';
import { agentqTracer } from './tracer.js';

/**
 * Runs `run` inside a new span (the active span while it runs), lets `settle` record what the result says,
 * marks the span failed on a throw, and ends it either way.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  parent: Context,
  run: () => Promise<T>,
  settle?: (span: Span, result: T) => void,
): Promise<T> {
  const span = agentqTracer().startSpan(name, options, parent);
  try {
    const result = await context.with(trace.setSpan(context.active(), span), run);
    settle?.(span, result);
    return result;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The GenAI attributes every agentq span of a session carries. */
export function genAiBase(operation: 'invoke_agent' | 'chat' | 'execute_tool', sessionId: string): Attributes {
  return { [GEN_AI.operationName]: operation, [GEN_AI.providerName]: PROVIDER, [GEN_AI.system]: PROVIDER, [GEN_AI.conversationId]: sessionId };
}

/** Marks a span failed with `type`, else the error's agentq code or name, as `error.type`. */
export function recordError(span: Span, error: unknown, type?: string): void {
  const code =
    type ??
    (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : error instanceof Error ? error.name : 'error');
  span.setAttribute(GEN_AI.errorType, code);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
