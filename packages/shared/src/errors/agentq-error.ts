import type { ErrorCode } from './error-codes.js';

const MARKER = Symbol.for('agentq.error');

export interface AgentqErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Base of every error agentq throws on purpose. Identity is checked with a global symbol rather than
 * `instanceof`, because a workspace can hold two copies of this package.
 */
export class AgentqError extends Error {
  readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AgentqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentqError';
    this.code = code;
    this.details = options.details;
  }

  static isInstance(value: unknown): value is AgentqError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
