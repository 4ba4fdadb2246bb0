import { isRedisUnavailable, type JobName, type Logger, StepJobData, type Stores } from '@agentq/shared';
import type { Job } from 'bullmq';

/** What failing a dead step's session needs of the worker (the step's deps satisfy it). */
export interface DeadStepDeps {
  stores: Stores;
  logger: Logger;
  workerId: string;
}

/**
 * A step job that BullMQ failed for good — its worker died more than `maxStalledCount` times, or an error
 * outside the step's own handling used up every attempt — leaves no job behind, so its session would stay
 * `running` forever. This ends it `failed` instead (guarded by step, so a session that moved on is untouched).
 */
export async function failDeadStep(deps: DeadStepDeps, job: Job | undefined, error: Error): Promise<void> {
  if (!job || job.name !== ('step' satisfies JobName)) return;
  const parsed = StepJobData.safeParse(job.data);
  if (!parsed.success) return;
  // A step that ran out of attempts because Redis refused writes (OOM, READONLY, LOADING…) did nothing wrong:
  // its session stays as it is and the reconciler queues the step again once Redis takes writes.
  if (isRedisUnavailable(error) || /redis_unavailable/.test(error.message)) {
    deps.logger.warn({ jobId: job.id, err: error.message }, 'step job failed on a Redis write error: left for the reconciler');
    return;
  }
  if ((await job.getState()) !== 'failed') return; // an attempt failed, and the job will be retried
  const { sessionId, step } = parsed.data;
  const stalled = /stalled/i.test(error.message);
  const message = stalled
    ? `step ${step} stalled more than maxStalledCount times (its worker kept dying): ${error.message}`
    : `step ${step} failed after ${job.attemptsMade} attempt(s): ${error.message}`;
  const finished = await deps.stores.sessions.finish(sessionId, {
    status: 'failed',
    expectedStep: step,
    error: { code: 'internal', message: message.slice(0, 2000) },
  });
  if (!finished) return;
  await deps.stores.events.append({
    sessionId,
    step,
    type: 'session_failed',
    data: { status: 'failed', error: { code: 'internal', message }, jobFailed: true },
    jobId: job.id,
    workerId: deps.workerId,
  });
  deps.logger.error({ sessionId, step, jobId: job.id, err: error.message }, 'step job failed for good: session failed');
}
