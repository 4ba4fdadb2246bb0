import { AgentqError, ApprovalTimeoutJobData, decideApproval } from '@agentq/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import type { TimeoutJobDeps } from './timeout-job-deps.js';

/**
 * Runs an `approval-timeout` job: an approval still pending at its expiry is denied with reason `timeout` by
 * `system`, which resumes the session when it was the last one. A decided approval is left alone (and a
 * resume job its decision may have lost is re-added).
 */
export async function handleApprovalTimeout(deps: TimeoutJobDeps, job: Job): Promise<'timed_out' | 'ignored'> {
  const parsed = ApprovalTimeoutJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed approval-timeout job ${job.id}: ${parsed.error.message}`);
  try {
    const { approval } = await decideApproval(
      deps.stores,
      deps.queue,
      parsed.data.approvalId,
      { decision: 'denied', by: 'system', reason: 'timeout', enforceExpiry: false },
      { stepAttempts: deps.settings.stepAttempts, stepBackoffMs: deps.settings.stepBackoffMs, workerId: deps.workerId },
    );
    deps.logger.info({ approvalId: approval.approvalId, sessionId: approval.sessionId }, 'approval timed out, denied');
    return 'timed_out';
  } catch (error) {
    if (AgentqError.isInstance(error) && (error.code === 'approval_already_decided' || error.code === 'approval_not_found')) return 'ignored';
    throw error;
  }
}
