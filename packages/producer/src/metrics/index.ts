export { createProducerMetrics, type ProducerMetricsOptions } from './producer-metrics.js';
export { type MetricsExporter, type MetricsExporterOptions, startMetricsExporter } from './metrics-exporter.js';
