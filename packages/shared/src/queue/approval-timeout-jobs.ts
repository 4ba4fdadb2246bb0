import type { Queue } from 'bullmq';
import { approvalTimeoutJobId } from '../schemas/job-catalog.js';
import { addJob } from './add-job.js';

/**
 * Adds the job that denies an approval still pending at `expiresAt`. Idempotent while the job exists: its id
 * is derived from the approval id (the risk gate and the reconciler both call this).
 */
export async function enqueueApprovalTimeout(queue: Queue, approvalId: string, expiresAt: number): Promise<void> {
  await addJob(queue, 'approval-timeout', { approvalId }, { jobId: approvalTimeoutJobId(approvalId), delay: Math.max(0, expiresAt - Date.now()) });
}
