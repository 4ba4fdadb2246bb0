import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TracingEnv {
  OTEL_TRACES_EXPORTER?: 'otlp' | 'console' | 'none' | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

export interface Tracing {
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Which exporter the environment asks for: `OTEL_TRACES_EXPORTER` when set (`none` = off), else OTLP when an
 * OTLP endpoint is set, else none — tracing is off unless configured.
 */
export function tracesExporterOf(env: TracingEnv): 'otlp' | 'console' | undefined {
  if (env.OTEL_TRACES_EXPORTER) return env.OTEL_TRACES_EXPORTER === 'none' ? undefined : env.OTEL_TRACES_EXPORTER;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : undefined;
}

/**
 * Registers a global tracer provider (async-context propagation and W3C trace context included) exporting in
 * batches to the configured exporter; returns undefined, registering nothing, when tracing is not configured.
 * The OTLP exporter reads the standard `OTEL_EXPORTER_OTLP_*` variables (endpoint, headers, timeout) itself.
 */
export function startTracing(env: TracingEnv): Tracing | undefined {
  const kind = tracesExporterOf(env);
  if (!kind) return undefined;
  const exporter: SpanExporter = kind === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'agentq-worker' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
