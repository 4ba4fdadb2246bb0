import {
  type Approval,
  enqueueApprovalTimeout,
  enqueueStep,
  approvalTimeoutJobId,
  type Logger,
  type Session,
  type StepJobSettings,
  stepJobId,
  type Stores,
} from '@agentq/shared';
import type { Queue } from 'bullmq';
import type { ResolvedReconcilerOptions } from './reconciler-options.js';

/**
 * What the reconciler needs of the worker: the stores it scans and repairs, the queue it adds jobs to, and the
 * step retry settings of the jobs it adds. The step's deps satisfy it.
 */
export interface ReconcilerDeps {
  stores: Stores;
  queue: Queue;
  logger: Logger;
  workerId: string;
  settings: StepJobSettings;
}

/** What one reconciler pass found and did, as counts. */
export interface ReconcileReport {
  /** Sessions read from the index. */
  scanned: number;
  /** Running or queued sessions with no waiting, active or delayed step job: a step job was added again. */
  requeued: number;
  /** Parked sessions with no pending approval and no live resume job: resumed. */
  resumed: number;
  /** Pending approvals whose timeout job was missing: the timeout job was added again. */
  timeoutsRestored: number;
  /** Sessions stranded more than `maxRepairs` times in a day: failed `session_stranded`. */
  failed: number;
  /** Index entries whose session record is gone (expired, or lost with Redis data): removed from the index. */
  indexTrimmed: number;
}

const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const REPAIR_COUNT_TTL_MS = 24 * 3600 * 1000;

/**
 * One pass over every session: each one whose state has no live job behind it is repaired. A running or
 * queued session gets its step job again (the step's checkpoints make re-running it safe; its compare-and-set
 * makes a duplicate a no-op), a parked one with nothing left to decide is resumed, a pending approval gets
 * its timeout job back. A session that keeps stranding is failed with `session_stranded`.
 */
export async function reconcileSessions(deps: ReconcilerDeps, options: ResolvedReconcilerOptions, now = Date.now()): Promise<ReconcileReport> {
  const report: ReconcileReport = { scanned: 0, requeued: 0, resumed: 0, timeoutsRestored: 0, failed: 0, indexTrimmed: 0 };
  const { sessions, keys, redis } = deps.stores;
  for (let offset = 0; ; offset += options.pageSize) {
    const ids = await sessions.listIds({ offset, limit: options.pageSize });
    if (ids.length === 0) break;
    const records = await sessions.getMany(ids);
    report.scanned += ids.length;
    const gone = ids.filter((_, i) => records[i] === undefined);
    if (gone.length > 0) {
      // The index entry outlived its record (the record expired): trimming shifts the next page back.
      report.indexTrimmed += await redis.zrem(keys.sessionIndex(), ...gone);
      offset -= gone.length;
    }
    const quiet = records.filter((s): s is Session => s !== undefined && now - s.updatedAt >= options.graceMs);
    await Promise.all(quiet.map((session) => reconcileOne(deps, options, session, report)));
    if (ids.length < options.pageSize) break;
  }
  return report;
}

async function reconcileOne(deps: ReconcilerDeps, options: ResolvedReconcilerOptions, session: Session, report: ReconcileReport): Promise<void> {
  if (session.status === 'running' || session.status === 'queued') {
    if (await anyLive(deps, session)) return;
    if (await exhausted(deps, options, session)) return void (report.failed += 1);
    const jobId = await enqueueStep(deps.queue, session.sessionId, session.step, deps.settings, { suffix: `r${Date.now().toString(36)}` });
    await deps.stores.sessions.noteJob(session.sessionId, jobId);
    report.requeued += 1;
    await note(deps, session, 'requeued', { jobId });
    return;
  }
  if (session.status !== 'awaiting_approval') return;
  const pending = await deps.stores.approvals.pendingIds(session.sessionId);
  if (pending.length === 0) {
    if (await anyLive(deps, session)) return;
    if (await exhausted(deps, options, session)) return void (report.failed += 1);
    // Every approval was decided but the resume never got queued: resume as a decision would have.
    const previous = await deps.stores.sessions.transition(session.sessionId, ['awaiting_approval'], 'running', session.step);
    if (!previous) return;
    const jobId = await enqueueStep(deps.queue, session.sessionId, session.step, deps.settings, { suffix: `r${Date.now().toString(36)}` });
    await deps.stores.sessions.noteJob(session.sessionId, jobId);
    report.resumed += 1;
    await note(deps, session, 'resumed', { jobId });
    return;
  }
  for (const approvalId of pending) {
    const approval: Approval | undefined = await deps.stores.approvals.getFor(session.sessionId, approvalId);
    if (!approval || approval.status !== 'pending') continue;
    const timeoutId = approvalTimeoutJobId(approvalId);
    const state = await deps.queue.getJobState(timeoutId);
    if (LIVE.has(state)) continue;
    // A finished timeout job with the approval still pending would make the add a no-op: remove it first.
    if (state !== 'unknown') await deps.queue.remove(timeoutId);
    await enqueueApprovalTimeout(deps.queue, approvalId, approval.expiresAt);
    report.timeoutsRestored += 1;
    await note(deps, session, 'approval_timeout_restored', { approvalId });
  }
}

/** Whether the session's own step job, or the last one noted on it (a resume, deferral or repair), is live. */
async function anyLive(deps: ReconcilerDeps, session: Session): Promise<boolean> {
  const noted = await deps.stores.sessions.notedJob(session.sessionId);
  const ids = [stepJobId(session.sessionId, session.step), ...(noted ? [noted] : [])];
  const states = await Promise.all(ids.map((id) => deps.queue.getJobState(id)));
  return states.some((state) => LIVE.has(state));
}

/** Counts a repair; past `maxRepairs` in a day the session is failed instead (it would only strand again). */
async function exhausted(deps: ReconcilerDeps, options: ResolvedReconcilerOptions, session: Session): Promise<boolean> {
  const key = deps.stores.keys.repairs(session.sessionId);
  const [[, count]] = ((await deps.stores.redis.multi().incr(key).pexpire(key, REPAIR_COUNT_TTL_MS).exec()) ?? []) as [[unknown, number]];
  if (count <= options.maxRepairs) return false;
  const error = {
    code: 'session_stranded' as const,
    message: `session ${session.sessionId} was found with no live job ${count - 1} times in a day; failed instead of repaired again`,
  };
  const finished = await deps.stores.sessions.finish(session.sessionId, { status: 'failed', expectedStep: session.step, error });
  if (finished) {
    await deps.stores.events.append({
      sessionId: session.sessionId,
      step: session.step,
      type: 'session_failed',
      data: { status: 'failed', error },
      workerId: deps.workerId,
    });
    deps.logger.error({ sessionId: session.sessionId, step: session.step, repairs: count - 1 }, 'reconciler: session keeps stranding, failed');
  }
  return true;
}

async function note(deps: ReconcilerDeps, session: Session, action: string, data: Record<string, unknown>): Promise<void> {
  deps.logger.warn(
    { sessionId: session.sessionId, step: session.step, status: session.status, action, ...data },
    'reconciler repaired a session with no live job',
  );
  await deps.stores.events.append({
    sessionId: session.sessionId,
    step: session.step,
    type: 'session_reconciled',
    data: { action, status: session.status, ...data },
    workerId: deps.workerId,
  });
}
