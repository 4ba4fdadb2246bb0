export { WorkerMetrics, type WorkerMetricsOptions } from './worker-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics-server.js';
