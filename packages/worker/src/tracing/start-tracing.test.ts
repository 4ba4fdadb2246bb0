import { describe, expect, test } from 'vitest';
import { readWorkerEnv } from '../config/worker-env.js';
import { startTracing, tracesExporterOf } from './start-tracing.js';

describe('tracing configuration', () => {
  test('off unless OTEL_TRACES_EXPORTER or an OTLP endpoint asks for it; none wins', () => {
    expect(tracesExporterOf({})).toBeUndefined();
    expect(startTracing({})).toBeUndefined();
    expect(tracesExporterOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('otlp');
    expect(tracesExporterOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe('otlp');
    expect(tracesExporterOf({ OTEL_TRACES_EXPORTER: 'console' })).toBe('console');
    expect(tracesExporterOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBeUndefined();
  });

  test('the worker env validates the OTEL variables, naming the one that is wrong', () => {
    expect(readWorkerEnv({ OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      'http://collector:4318',
    );
    expect(() => readWorkerEnv({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/OTEL_TRACES_EXPORTER/);
  });
});
