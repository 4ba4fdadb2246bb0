import type { Stores } from '@agentq/shared';
import { type Context, context, type Link, ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { AGENTQ, GEN_AI } from './gen-ai-attributes.js';
import { agentqTracer } from './tracer.js';

/** The session hash field that holds the session's W3C `traceparent`, written once by its first traced step. */
export const TRACEPARENT_FIELD = 'traceparent';

/**
 * The context every step span of a session is a child of, so all of its steps, whichever worker runs them and
 * however far apart, share one trace. The first traced step writes a short `agentq.session` span and keeps its
 * context on the session hash (HSETNX: of two racing first steps, one context wins and both use it); later
 * steps read it back in one HGET. Links (`links`) tie the session span to the job that started it.
 */
export async function sessionTraceContext(
  stores: Pick<Stores, 'redis' | 'keys'>,
  session: { sessionId: string; agent: string; tenant?: string | undefined },
  links: Link[],
): Promise<Context> {
  const key = stores.keys.session(session.sessionId);
  const stored = await stores.redis.hget(key, TRACEPARENT_FIELD);
  const parsed = stored ? parseTraceparent(stored) : undefined;
  if (parsed) return trace.setSpanContext(ROOT_CONTEXT, parsed);

  const span = agentqTracer().startSpan(
    'agentq.session',
    {
      root: true,
      links,
      attributes: {
        [GEN_AI.conversationId]: session.sessionId,
        [GEN_AI.agentName]: session.agent,
        ...(session.tenant ? { [AGENTQ.tenant]: session.tenant } : {}),
      },
    },
    context.active(),
  );
  span.end();
  const mine = formatTraceparent(span.spanContext());
  const [[, won], [, value]] = ((await stores.redis.pipeline().hsetnx(key, TRACEPARENT_FIELD, mine).hget(key, TRACEPARENT_FIELD).exec()) ?? []) as [
    [unknown, number],
    [unknown, string | null],
  ];
  const winner = won === 1 ? undefined : value ? parseTraceparent(value) : undefined;
  return trace.setSpanContext(ROOT_CONTEXT, winner ?? span.spanContext());
}

/** `00-<trace id>-<span id>-<flags>` (W3C Trace Context, version 00). */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0')}`;
}

export function parseTraceparent(value: string): SpanContext | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
  if (!match) return undefined;
  return { traceId: match[1] as string, spanId: match[2] as string, traceFlags: Number.parseInt(match[3] as string, 16), isRemote: true };
}
