import type { Agent, AgentEventType, BudgetCode, EventData, HistoryWindow, Limits, Logger, Session, SessionError } from '@agentq/shared';
import type { Job } from 'bullmq';
import type { StepDeps } from './step-deps.js';
import type { StepEvents } from './step-events.js';

/** One step in flight: the job, its session and agent, and the deps it runs with. */
export interface StepContext {
  deps: StepDeps;
  job: Job;
  session: Session;
  agent: Agent;
  limits: Limits;
  step: number;
  /** The session's tenant (the default tenant when it has none) and the priority its next step is queued with. */
  tenant: {
    name: string;
    nextPriority: number;
    /** Frees the step's running slot of its tenant (idempotent): sent with the commit, so it costs no round trip. */
    release?: () => Promise<void>;
  };
  logger: Logger;
  /**
   * Records an event tagged with this step, job and worker. It is buffered and written with the step's next
   * checkpoint (see step-events.ts), or when the step ends; the step waits for all of its event writes once,
   * before its job ends.
   */
  emit<T extends AgentEventType>(type: T, data: EventData<T>): Promise<void>;
  /** The session's history as the step's load read it: what working memory can use of it. */
  history: HistoryWindow;
  /**
   * Set by the step's working memory when a window sized it: the last history entry its summary holds, where
   * the next step's load starts reading (carried in that step's job, see StepJobData).
   */
  windowFrom?: number | undefined;
  /** The step's event buffer, handed to the checkpoint writes that carry it. */
  events: StepEvents;
  /**
   * Set by the step's latest model call when a budget cut its `max_tokens` below `limits.maxTokensPerCall`:
   * a turn cut there ran out of budget, not of the configured limit.
   */
  budgetCut?: SessionError & { code: BudgetCode };
}
