/**
 * `@agentq/producer`: starts sessions and reads them back.
 *
 * ```ts
 * import { AgentProducer } from '@agentq/producer';
 *
 * const producer = new AgentProducer({ connection: process.env.REDIS_URL });
 * const { sessionId } = await producer.start({ agent: 'support', input: 'Where is order 42?' });
 * const result = await producer.wait(sessionId);
 * ```
 *
 * Also exported: approvals, replay and timelines, stats, metrics, the dashboard server, live subscriptions
 * and queue control (the same code the `agentq` CLI runs).
 */
export { type AdmissionProblem } from './admission/admit-batch.js';
export { DEFAULT_INPUT_CAPS, type InputCaps } from './admission/input-caps.js';
export { AgentProducer, type AgentProducerOptions, newSessionId, type StartBatchOptions, type WaitOptions } from './agent-producer.js';
export { ApprovalsApi, type ApproveOptions, type DenyOptions, type ListApprovalsOptions } from './approvals/approvals-api.js';
export { type LiveEvent, SESSION_END_EVENTS } from './live/live-event.js';
export { createStreamToken, type StreamToken, type StreamTokenOptions, streamTokenSession } from './live/stream-token.js';
export { compareIds, isTextDelta, type SubscribeOptions, subscribeSession } from './live/subscribe-session.js';
export { createProducerMetrics, type ProducerMetricsOptions } from './metrics/producer-metrics.js';
export { ProducerEnv, readProducerEnv } from './config/producer-env.js';
export { type MetricsExporter, type MetricsExporterOptions, startMetricsExporter } from './metrics/metrics-exporter.js';
export { QueueControl, queueControls, type QueueStatus } from './queue/queue-control.js';
export { type ProducerShard, ShardRouter } from './shards/index.js';
export { createFork, type ForkOptions } from './replay/fork-session.js';
export { formatTimeline } from './replay/format-timeline.js';
export { buildTimeline, type Timeline, type TimelineDecision, type TimelineModelCall, type TimelineStep, type TimelineToolCall } from './replay/timeline.js';
export { type DashboardAuthOptions, resolveAuth, type ResolvedAuth } from './server/auth/dashboard-auth.js';
export { createDashboardApp, type DashboardAppOptions } from './server/create-app.js';
export { type Dashboard, type DashboardOptions, startDashboard } from './server/start-dashboard.js';
export { type SessionSummary, summarize } from './session-summary.js';
export { collectStats, type CollectStatsOptions } from './stats/collect-stats.js';
export { type AgentStats, computeStats, type ComputeStatsOptions, type Stats, type ToolStats } from './stats/compute-stats.js';
export { formatStats } from './stats/format-stats.js';
export { parseDuration } from './stats/parse-duration.js';
export { percentile } from './stats/percentile.js';
