export { AgentProducer, newSessionId, type AgentProducerOptions, type WaitOptions } from './agent-producer.js';
export * from './approvals/index.js';
export * from './replay/index.js';
export * from './stats/index.js';
export * from './metrics/index.js';
export * from './server/index.js';
export { summarize, type SessionSummary } from './session-summary.js';
export * from './live/index.js';
export { QueueControl, type QueueStatus } from './queue/queue-control.js';
