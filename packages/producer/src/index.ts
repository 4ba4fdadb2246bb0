export { AgentProducer, newSessionId, type AgentProducerOptions, type WaitOptions } from './agent-producer.js';
