import type { AgentEventType, EventData, Limits, Logger, Session } from '@agentq/shared';

/**
 * What every helper of a step (tool guards, budgets, working memory) sees of the step it runs in: the session,
 * the step number, its limits, a logger and the step's event emitter. Each helper's own context adds the agent
 * fields and the services it needs; the step's context satisfies them all, so no helper depends on the step.
 */
export interface StepScope {
  session: Session;
  step: number;
  limits: Limits;
  logger: Logger;
  /** Records an event of the step (written with its next checkpoint). */
  emit<T extends AgentEventType>(type: T, data: EventData<T>): Promise<void>;
}
