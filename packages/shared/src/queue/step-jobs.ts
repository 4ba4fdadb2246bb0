import type { JobsOptions, Queue } from 'bullmq';
import { stepJobId, StepJobData } from '../schemas/job-catalog.js';
import { defaultJobRetention, type JobRetention } from './job-retention.js';

/** How step jobs are retried: the same knobs wherever a step job is added. */
export interface StepJobSettings {
  /** Attempts of one step job before its session fails. @defaultValue 5 */
  stepAttempts?: number;
  /** Base of the exponential backoff (full jitter) between attempts, in ms. @defaultValue 1000 */
  stepBackoffMs?: number;
}

/**
 * Options of every step job. Completed jobs are kept for a day (at most the session TTLs) so a duplicated `add` of the same id is ignored
 * by BullMQ; after that the step compare-and-set in Redis is what makes a late duplicate a no-op.
 */
export function stepJobOptions(
  jobId: string,
  settings: StepJobSettings = {},
  delay?: number,
  priority?: number,
  /** How long finished step jobs are kept. @defaultValue {@link defaultJobRetention} */
  retention: JobRetention = defaultJobRetention(),
): JobsOptions {
  return {
    jobId,
    attempts: settings.stepAttempts ?? 5,
    backoff: { type: 'exponential', delay: settings.stepBackoffMs ?? 1000, jitter: 1 },
    ...retention,
    ...(delay && delay > 0 ? { delay } : {}),
    // Fair scheduling across tenants (see tenant-scheduler.ts); BullMQ serves lower numbers first.
    ...(priority && priority > 0 ? { priority } : {}),
  };
}

/** Where a step job goes: a re-run suffix, a delay, a priority (1 = first; absent = ahead of every prioritized job). */
export interface StepJobPlacement {
  suffix?: string;
  delay?: number;
  priority?: number;
}

/** The `addBulk` entry of a step job. */
export function stepJob(sessionId: string, step: number, settings: StepJobSettings = {}, options: StepJobPlacement = {}) {
  return {
    name: 'step' as const,
    data: StepJobData.parse({ sessionId, step }),
    opts: stepJobOptions(stepJobId(sessionId, step, options.suffix), settings, options.delay, options.priority),
  };
}

/**
 * Adds the job of `step` (a job with the same id that still exists makes this a no-op) and returns its id.
 * `suffix` distinguishes a re-run of the same step: a resume after approvals (`a<n>`) or a deferral (`d<t>`).
 */
export async function enqueueStep(
  queue: Queue,
  sessionId: string,
  step: number,
  settings: StepJobSettings = {},
  options: StepJobPlacement = {},
): Promise<string> {
  const job = stepJob(sessionId, step, settings, options);
  await queue.add(job.name, job.data, job.opts);
  return job.opts.jobId as string;
}
