import type { JobsOptions } from 'bullmq';

/**
 * Options of every step job. Completed jobs are kept for a day so a duplicated `add` of the same step id is
 * ignored by BullMQ; the step compare-and-set in Redis is what makes a late duplicate a no-op after that.
 */
export function stepJobOptions(jobId: string, attempts: number, backoffMs: number, delay?: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 1 },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
    ...(delay && delay > 0 ? { delay } : {}),
  };
}
