import type { Queue } from 'bullmq';
import { enqueueStep, type StepJobSettings } from '../queue/step-jobs.js';
import type { SessionStore } from '../session/session-store.js';

/** How resume step jobs are retried; the same knobs as every step job. */
export type ResumeJobSettings = StepJobSettings;

/**
 * Adds the step job that resumes a session after its approvals were decided. The id carries the resume
 * count (`<sessionId>-s<step>-a<n>`), so re-adding it to repair a lost enqueue is a no-op while it exists.
 */
export async function enqueueResume(
  sessions: SessionStore,
  queue: Queue,
  sessionId: string,
  step: number,
  suffix: string,
  settings: ResumeJobSettings = {},
): Promise<void> {
  const jobId = await enqueueStep(queue, sessionId, step, settings, { suffix });
  await sessions.noteJob(sessionId, jobId);
}
