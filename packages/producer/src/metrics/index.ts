export { createProducerMetrics, type ProducerMetricsOptions } from './producer-metrics.js';
