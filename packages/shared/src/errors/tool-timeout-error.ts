import { AgentqError } from './agentq-error.js';

/** A tool did not finish within its `timeoutMs`. Retried like any transient failure when the tool is idempotent. */
export class ToolTimeoutError extends AgentqError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options: { cause?: unknown } = {}) {
    super('tool_timeout', `timeout after ${formatMs(timeoutMs)}`, options);
    this.name = 'ToolTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
