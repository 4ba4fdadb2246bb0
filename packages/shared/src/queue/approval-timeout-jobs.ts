import type { Queue } from 'bullmq';
import { approvalTimeoutJobId, ApprovalTimeoutJobData } from '../schemas/job-catalog.js';
import { defaultJobRetention } from './job-retention.js';

/**
 * Adds the job that denies an approval still pending at `expiresAt`. Idempotent while the job exists: its id
 * is derived from the approval id (the risk gate and the reconciler both call this).
 */
export async function enqueueApprovalTimeout(queue: Queue, approvalId: string, expiresAt: number): Promise<void> {
  await queue.add('approval-timeout', ApprovalTimeoutJobData.parse({ approvalId }), {
    jobId: approvalTimeoutJobId(approvalId),
    delay: Math.max(0, expiresAt - Date.now()),
    attempts: 10,
    backoff: { type: 'exponential', delay: 1000, jitter: 1 },
    ...defaultJobRetention(),
  });
}
