import type { JobsOptions, Queue } from 'bullmq';
import { stepJobId } from '../schemas/job-catalog.js';
import { addJobs, jobEntry, jobOptions } from './add-job.js';
import type { JobRetention } from './job-retention.js';

/** How step jobs are retried: the same knobs wherever a step job is added. */
export interface StepJobSettings {
  /** Attempts of one step job before its session fails. @defaultValue STEP_RETRY.attempts (5) */
  stepAttempts?: number;
  /** Base of the exponential backoff (full jitter) between attempts, in ms. @defaultValue STEP_RETRY.backoffMs (1000) */
  stepBackoffMs?: number;
}

/**
 * Options of every step job: the catalog's step policy (see job-catalog.ts) with the settings' overrides.
 * Completed jobs are kept for a day (at most the session TTLs) so a duplicated `add` of the same id is ignored
 * by BullMQ; after that the step compare-and-set in Redis is what makes a late duplicate a no-op.
 */
export function stepJobOptions(
  jobId: string,
  settings: StepJobSettings = {},
  delay?: number,
  priority?: number,
  /** How long finished step jobs are kept. @defaultValue {@link defaultJobRetention} */
  retention?: JobRetention,
): JobsOptions {
  return jobOptions('step', { jobId, delay, priority, retention, retry: { attempts: settings.stepAttempts, backoffMs: settings.stepBackoffMs } });
}

/** Where a step job goes: a re-run suffix, a delay, a priority (1 = first; absent = ahead of every prioritized job). */
export interface StepJobPlacement {
  suffix?: string;
  /** The session's tenant, carried in the job data (see StepJobData). */
  tenant?: string;
  /** Where a windowed session's load starts reading its history, carried in the job data (see StepJobData). */
  windowFrom?: number;
  delay?: number;
  priority?: number;
}

/** The `addBulk` entry of a step job. */
export function stepJob(sessionId: string, step: number, settings: StepJobSettings = {}, options: StepJobPlacement = {}) {
  return jobEntry(
    'step',
    {
      sessionId,
      step,
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
      ...(options.windowFrom !== undefined ? { windowFrom: options.windowFrom } : {}),
    },
    {
      jobId: stepJobId(sessionId, step, options.suffix),
      delay: options.delay,
      priority: options.priority,
      retry: { attempts: settings.stepAttempts, backoffMs: settings.stepBackoffMs },
    },
  );
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
  await addJobs(queue, [job]);
  return job.opts.jobId as string;
}
