import type { Stores } from '@agentq/shared';
import { context, type Link, SpanKind, trace } from '@opentelemetry/api';
import { AGENTQ, GEN_AI } from './gen-ai-attributes.js';
import { genAiBase, inSpan } from './in-span.js';
import { sessionTraceContext } from './session-trace.js';

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
  const attributes = {
    ...genAiBase('invoke_agent', info.sessionId),
    [GEN_AI.agentName]: info.agent,
    [AGENTQ.step]: info.step,
    [AGENTQ.attempt]: info.attempt,
    ...(info.jobId ? { [AGENTQ.jobId]: info.jobId } : {}),
    ...(info.tenant ? { [AGENTQ.tenant]: info.tenant } : {}),
  };
  return inSpan(`invoke_agent ${info.agent}`, { kind: SpanKind.INTERNAL, links, attributes }, parent, run, (span, result) =>
    span.setAttribute(AGENTQ.result, result),
  );
}
