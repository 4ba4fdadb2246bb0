import type { Stores } from '@agentq/shared';
import { context, type Link, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AGENTQ, GEN_AI, PROVIDER } from './gen-ai-attributes.js';
import { sessionTraceContext } from './session-trace.js';
import { agentqTracer } from './tracer.js';

export interface StepTraceInfo {
  stores: Pick<Stores, 'redis' | 'keys'>;
  sessionId: string;
  agent: string;
  tenant?: string | undefined;
  step: number;
  jobId: string | undefined;
  attempt: number;
}

/**
 * Runs one step inside an `invoke_agent {agent}` span, a child of the session's span (one trace per session),
 * linked to the span active when the job started (BullMQ's `process` span when its telemetry is on), so the
 * path from the job that enqueued this one stays visible. The model and tool spans of the step are its children.
 * Without `info` (tracing off) it only calls `run`.
 */
export async function traceStep<T extends string>(info: StepTraceInfo | undefined, run: () => Promise<T>): Promise<T> {
  if (!info) return run();
  const active = trace.getSpanContext(context.active());
  const links: Link[] = active ? [{ context: active }] : [];
  const parent = await sessionTraceContext(info.stores, { sessionId: info.sessionId, agent: info.agent, tenant: info.tenant }, links);
  const span = agentqTracer().startSpan(
    `invoke_agent ${info.agent}`,
    {
      kind: SpanKind.INTERNAL,
      links,
      attributes: {
        [GEN_AI.operationName]: 'invoke_agent',
        [GEN_AI.providerName]: PROVIDER,
        [GEN_AI.system]: PROVIDER,
        [GEN_AI.agentName]: info.agent,
        [GEN_AI.conversationId]: info.sessionId,
        [AGENTQ.step]: info.step,
        [AGENTQ.attempt]: info.attempt,
        ...(info.jobId ? { [AGENTQ.jobId]: info.jobId } : {}),
        ...(info.tenant ? { [AGENTQ.tenant]: info.tenant } : {}),
      },
    },
    parent,
  );
  try {
    const result = await context.with(trace.setSpan(context.active(), span), run);
    span.setAttribute(AGENTQ.result, result);
    return result;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's name (or agentq code) as `error.type`. */
export function recordError(span: Span, error: unknown, type?: string): void {
  const code = type ?? (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : error instanceof Error ? error.name : 'error');
  span.setAttribute(GEN_AI.errorType, code);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
