export { AgentqError, type AgentqErrorOptions } from './agentq-error.js';
export { ErrorCode, shouldRetry } from './error-codes.js';
export { ToolPermissionError } from './tool-permission-error.js';
export { ToolRateLimitError } from './tool-rate-limit-error.js';
export { ToolTimeoutError } from './tool-timeout-error.js';
export { truncateText, serializeError } from './serialize-error.js';
export { isRedisUnavailable } from './redis-unavailable.js';
