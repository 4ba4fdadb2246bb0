import { AgentqError } from './agentq-error.js';

/** Thrown by a tool that was refused by its backend: never retried, the model is told at once. */
export class ToolPermissionError extends AgentqError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('tool_permission_denied', message, options);
    this.name = 'ToolPermissionError';
  }
}
