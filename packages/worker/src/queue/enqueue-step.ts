import { stepJobId, StepJobData } from '@agentq/shared';
import type { Queue } from 'bullmq';
import { stepJobOptions } from './step-job-options.js';

export interface EnqueueStepOptions {
  attempts: number;
  backoffMs: number;
  delay?: number;
  /** Distinguishes a re-run of the same step (after an approval) from the original job. */
  suffix?: string;
}

/** Adds the job of `step`; a job with the same id that still exists makes this a no-op. */
export async function enqueueStep(queue: Queue, sessionId: string, step: number, options: EnqueueStepOptions): Promise<void> {
  const data = StepJobData.parse({ sessionId, step });
  await queue.add('step', data, stepJobOptions(stepJobId(sessionId, step, options.suffix), options.attempts, options.backoffMs, options.delay));
}
