import { z } from 'zod';

/**
 * Every job agentq puts on its queue, with its payload schema. The producer parses before `add`; the
 * worker `safeParse`s on receipt and fails a malformed job without retry.
 */
export const StepJobData = z
  .object({
    sessionId: z.string().regex(/^[A-Za-z0-9_-]+$/),
    step: z.number().int().nonnegative(),
  })
  .strict();
export type StepJobData = z.infer<typeof StepJobData>;

export const ApprovalTimeoutJobData = z.object({ approvalId: z.string().min(1) }).strict();
export type ApprovalTimeoutJobData = z.infer<typeof ApprovalTimeoutJobData>;

/** Answers an `ask_human` question still open at its expiry. */
export const QuestionTimeoutJobData = z
  .object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]+$/), toolUseId: z.string().min(1) })
  .strict();
export type QuestionTimeoutJobData = z.infer<typeof QuestionTimeoutJobData>;
/** The batch lane's flusher and poller jobs carry no data: they work on their queue's lane. */
export const BatchLaneJobData = z.object({}).strict();
export type BatchLaneJobData = z.infer<typeof BatchLaneJobData>;

/** The reconciler's run: one job scheduler per queue (so one per fleet), whichever worker takes it. */
export const ReconcileJobData = z.object({}).strict();
export type ReconcileJobData = z.infer<typeof ReconcileJobData>;
/** Id of the reconciler's job scheduler: every worker upserts the same one. */
export const RECONCILER_SCHEDULER_ID = 'agentq-reconciler';

export const JOB_CATALOG = {
  step: StepJobData,
  'approval-timeout': ApprovalTimeoutJobData,
  'question-timeout': QuestionTimeoutJobData,
  'batch-flush': BatchLaneJobData,
  'batch-poll': BatchLaneJobData,
  reconcile: ReconcileJobData,
} as const;
export type JobName = keyof typeof JOB_CATALOG;

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
