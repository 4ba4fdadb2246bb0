import type { Queue } from 'bullmq';
import { stepJobId, StepJobData } from '../schemas/job-catalog.js';

/** How resume step jobs are retried; the same knobs as every step job. */
export interface ResumeJobSettings {
  /** @defaultValue 5 */
  stepAttempts?: number;
  /** @defaultValue 1000 */
  stepBackoffMs?: number;
}

/**
 * Adds the step job that resumes a session after its approvals were decided. The id carries the resume
 * count (`<sessionId>-s<step>-a<n>`), so re-adding it to repair a lost enqueue is a no-op while it exists.
 */
export async function enqueueResume(queue: Queue, sessionId: string, step: number, suffix: string, settings: ResumeJobSettings = {}): Promise<void> {
  await queue.add('step', StepJobData.parse({ sessionId, step }), {
    jobId: stepJobId(sessionId, step, suffix),
    attempts: settings.stepAttempts ?? 5,
    backoff: { type: 'exponential', delay: settings.stepBackoffMs ?? 1000, jitter: 1 },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
