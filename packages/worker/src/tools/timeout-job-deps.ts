import type { Logger, StepJobSettings, Stores } from '@agentq/shared';
import type { Queue } from 'bullmq';

/**
 * What a question or approval timeout job needs of the worker: the stores and queue it resumes the session
 * through, and the step retry settings of the job that resumes it. The step's deps satisfy it.
 */
export interface TimeoutJobDeps {
  stores: Stores;
  queue: Queue;
  logger: Logger;
  workerId: string;
  settings: Required<StepJobSettings>;
}
