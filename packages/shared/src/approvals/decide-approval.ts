import type { Queue } from 'bullmq';
import { AgentqError } from '../errors/agentq-error.js';
import type { Stores } from '../runtime-context.js';
import type { Approval } from '../schemas/approval.js';
import type { DecideOptions } from './approval-store.js';
import { enqueueResume, type ResumeJobSettings } from './resume-session.js';

export interface ApprovalDecision {
  approval: Approval;
  /** Whether this decision resumed the session (it was the last pending approval of the parked step). */
  resumed: boolean;
  /** Approvals of the session still pending. */
  remaining: number;
}

/**
 * Decides an approval, records an `approval_decided` event, and enqueues the resume step job when the
 * session left `awaiting_approval`. The decision and the resume are one Lua script; the enqueue follows it.
 * If a caller died between the two, deciding again (or the approval's timeout job) re-adds the same job id:
 * the `approval_already_decided` error is still thrown, but the session is not left without a job.
 */
export async function decideApproval(
  stores: Stores,
  queue: Queue,
  approvalId: string,
  options: DecideOptions,
  settings: ResumeJobSettings & { workerId?: string } = {},
): Promise<ApprovalDecision> {
  let result;
  try {
    result = await stores.approvals.decide(approvalId, options);
  } catch (error) {
    if (AgentqError.isInstance(error) && error.code === 'approval_already_decided') await repairResume(stores, queue, error, settings);
    throw error;
  }
  const { approval } = result;
  await stores.events.append({
    sessionId: approval.sessionId,
    step: approval.step,
    type: 'approval_decided',
    data: {
      approvalId: approval.approvalId,
      tool: approval.tool,
      toolUseId: approval.toolUseId,
      decision: approval.status,
      by: approval.decidedBy ?? options.by,
      reason: approval.decisionReason ?? null,
      ...(approval.editedInput !== undefined ? { edited: true, editedInput: approval.editedInput } : {}),
      decidedAt: approval.decidedAt ?? null,
      remaining: result.remaining,
      resumed: result.resumeSuffix !== undefined,
    },
    ...(settings.workerId ? { workerId: settings.workerId } : {}),
  });
  if (result.resumeSuffix) await enqueueResume(stores.sessions, queue, approval.sessionId, approval.step, result.resumeSuffix, settings);
  return { approval, resumed: result.resumeSuffix !== undefined, remaining: result.remaining };
}

async function repairResume(stores: Stores, queue: Queue, error: AgentqError, settings: ResumeJobSettings): Promise<void> {
  const suffix = error.details?.resumeSuffix;
  const sessionId = error.details?.sessionId;
  if (typeof suffix !== 'string' || typeof sessionId !== 'string') return;
  const approval = await stores.approvals.getFor(sessionId, String(error.details?.approvalId));
  const session = await stores.sessions.get(sessionId);
  // Only while the session still sits at that step, running: otherwise the resume job ran long ago.
  if (!approval || session?.status !== 'running' || session.step !== approval.step) return;
  await enqueueResume(stores.sessions, queue, sessionId, approval.step, suffix, settings);
}

/**
 * Drops a finished session's pending approvals: each is denied by `system` with `reason` (it can no longer
 * be decided) and leaves the pending index. Nothing resumes: the session is no longer parked.
 */
export async function dropApprovals(stores: Stores, sessionId: string, reason: string): Promise<Approval[]> {
  const dropped: Approval[] = [];
  for (const approvalId of await stores.approvals.pendingIds(sessionId)) {
    try {
      const { approval } = await stores.approvals.decide(approvalId, { decision: 'denied', by: 'system', reason, enforceExpiry: false });
      dropped.push(approval);
      await stores.events.append({
        sessionId,
        step: approval.step,
        type: 'approval_decided',
        data: {
          approvalId,
          tool: approval.tool,
          toolUseId: approval.toolUseId,
          decision: 'denied',
          by: 'system',
          reason,
          decidedAt: approval.decidedAt ?? null,
          dropped: true,
        },
      });
    } catch (error) {
      // decided meanwhile by someone else: nothing to drop
      if (!AgentqError.isInstance(error) || (error.code !== 'approval_already_decided' && error.code !== 'approval_not_found')) throw error;
    }
  }
  return dropped;
}
