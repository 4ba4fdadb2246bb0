import type { KeepJobs } from 'bullmq';
import { z } from 'zod';

/**
 * Every job agentq puts on its queue, with its payload schema. The producer parses before `add`; the
 * worker `safeParse`s on receipt and fails a malformed job without retry.
 */
export const StepJobData = z
  .object({
    sessionId: z.string().regex(/^[A-Za-z0-9_-]+$/),
    step: z.number().int().nonnegative(),
    /** The session's tenant, so the worker takes its tenant slot while it loads the session (optional: older jobs). */
    tenant: z.string().min(1).optional(),
    /**
     * The session keeps a working-memory window: its load reads the rolling summary, the pinned task and the
     * history after this entry (the last one the summary held when the step before queued this one), not the
     * whole history. Absent: the whole history, and the summary when the step needs it.
     */
    windowFrom: z.number().int().nonnegative().optional(),
  })
  .strict();
export type StepJobData = z.infer<typeof StepJobData>;

export const ApprovalTimeoutJobData = z.object({ approvalId: z.string().min(1) }).strict();
export type ApprovalTimeoutJobData = z.infer<typeof ApprovalTimeoutJobData>;

/** Answers an `ask_human` question still open at its expiry. */
export const QuestionTimeoutJobData = z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]+$/), toolUseId: z.string().min(1) }).strict();
export type QuestionTimeoutJobData = z.infer<typeof QuestionTimeoutJobData>;
/** The batch lane's flusher and poller jobs carry no data: they work on their queue's lane. */
export const BatchLaneJobData = z.object({}).strict();
export type BatchLaneJobData = z.infer<typeof BatchLaneJobData>;

/** The reconciler's run: one job scheduler per queue (so one per fleet), whichever worker takes it. */
export const ReconcileJobData = z.object({}).strict();
export type ReconcileJobData = z.infer<typeof ReconcileJobData>;
/** Id of the reconciler's job scheduler: every worker upserts the same one. */
export const RECONCILER_SCHEDULER_ID = 'agentq-reconciler';

/** How a job kind is retried: attempts, and the base of its exponential backoff (full jitter). */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** How long finished jobs of a kind are kept, as BullMQ's `removeOnComplete` / `removeOnFail` take it. */
export type KeepPolicy = boolean | number | KeepJobs;

/** One job kind: its payload schema, retry policy and, unless it follows the session TTLs, its retention. */
export interface JobKind<S extends z.ZodType = z.ZodType> {
  data: S;
  retry: RetryPolicy;
  /** Absent: finished jobs are kept as long as the session data (see job-retention.ts). */
  keep?: { removeOnComplete: KeepPolicy; removeOnFail: KeepPolicy };
}

/**
 * The step job's retry policy, the one default for every step job whoever adds it (the producer adds step 0
 * and resumes, the worker adds step n+1, deferrals and repairs). `AGENTQ_STEP_ATTEMPTS` and
 * `AGENTQ_STEP_BACKOFF_MS` override it, on both sides alike.
 */
export const STEP_RETRY: RetryPolicy = { attempts: 5, backoffMs: 1000 };

/**
 * Every job agentq puts on its queue: payload schema, retry and retention, declared once. Jobs are added only
 * through `addJob` / `jobEntry` (packages/shared/src/queue/add-job.ts) and dispatched by name through a
 * handler for each kind in the worker.
 */
export const JOB_CATALOG = {
  step: { data: StepJobData, retry: STEP_RETRY },
  /** Denies an approval still pending at its expiry. Retried long: a lost timeout parks a session for good. */
  'approval-timeout': { data: ApprovalTimeoutJobData, retry: { attempts: 10, backoffMs: 1000 } },
  'question-timeout': {
    data: QuestionTimeoutJobData,
    retry: { attempts: 10, backoffMs: 1000 },
    keep: { removeOnComplete: { age: 24 * 3600, count: 100_000 }, removeOnFail: { age: 7 * 24 * 3600 } },
  },
  'batch-flush': {
    data: BatchLaneJobData,
    retry: { attempts: 5, backoffMs: 1000 },
    keep: { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600 } },
  },
  'batch-poll': {
    data: BatchLaneJobData,
    retry: { attempts: 5, backoffMs: 1000 },
    keep: { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600 } },
  },
  /** Run by a job scheduler every few seconds: a failed pass is simply the next one. */
  reconcile: { data: ReconcileJobData, retry: { attempts: 1, backoffMs: 1000 }, keep: { removeOnComplete: true, removeOnFail: 100 } },
} as const satisfies Record<string, JobKind>;
export type JobName = keyof typeof JOB_CATALOG;
/** The payload of a job of kind `N`. */
export type JobData<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]['data']>;

/** Job id of step `step` of a session. BullMQ ids may not contain `:` nor be all digits. */
export function stepJobId(sessionId: string, step: number, suffix?: string): string {
  return suffix ? `${sessionId}-s${step}-${suffix}` : `${sessionId}-s${step}`;
}

export function questionTimeoutJobId(sessionId: string, toolUseId: string): string {
  return `${sessionId}-q-${toolUseId}-timeout`;
}

export function approvalTimeoutJobId(approvalId: string): string {
  return `${approvalId}-timeout`;
}
