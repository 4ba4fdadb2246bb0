import { AgentqError } from '../errors/agentq-error.js';
import type { SessionError } from '../schemas/session.js';
import type { BudgetCode } from './budget-code.js';

/** Thrown inside a step when a budget refuses a model call; the step ends the session `budget_exceeded`. */
export class BudgetExceededError extends AgentqError {
  declare readonly code: BudgetCode;
  readonly sessionError: SessionError;

  constructor(error: SessionError & { code: BudgetCode }) {
    super(error.code, error.message, error.details ? { details: error.details } : {});
    this.name = 'BudgetExceededError';
    this.sessionError = error;
  }
}
