export { AgentProducer, newSessionId, type AgentProducerOptions, type StartBatchOptions, type WaitOptions } from './agent-producer.js';
export { type AdmissionProblem, DEFAULT_INPUT_CAPS, type InputCaps } from './admission/index.js';
export * from './approvals/index.js';
export * from './replay/index.js';
export * from './stats/index.js';
export * from './metrics/index.js';
export * from './server/index.js';
export { summarize, type SessionSummary } from './session-summary.js';
export * from './live/index.js';
