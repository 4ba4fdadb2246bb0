import { AgentqError } from './agentq-error.js';

/** Thrown by a tool whose backend said "slow down": the runtime waits `retryAfterMs` before trying again. */
export class ToolRateLimitError extends AgentqError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = `rate limited, retry after ${retryAfterMs}ms`, options: { cause?: unknown } = {}) {
    super('tool_rate_limited', message, options);
    this.name = 'ToolRateLimitError';
    this.retryAfterMs = retryAfterMs;
  }
}
