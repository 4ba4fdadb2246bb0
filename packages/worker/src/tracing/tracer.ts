import { type Tracer, trace } from '@opentelemetry/api';

/**
 * agentq's tracer, looked up at each use (a map lookup) so a provider registered after this module loaded, even
 * through another copy of `@opentelemetry/api`, is the one used. With no provider registered it is the API's
 * no-op tracer; the step path also skips every tracing call unless the worker was started with `tracing: true`.
 */
export function agentqTracer(): Tracer {
  return trace.getTracer('agentq');
}
