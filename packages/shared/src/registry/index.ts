export { AgentRegistry, describeAgent, type PublishedAgent, type RegisteredAgent, REGISTRY_HEARTBEAT_MS, REGISTRY_LIVE_MS } from './agent-registry.js';
