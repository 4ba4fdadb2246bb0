import { stepPriority } from '@agentq/shared';
import type { Job } from 'bullmq';
import type { StepDeps } from './step-deps.js';

/** A step's place among its tenant's: whether it may run now, and the priority of the tenant's next step. */
export interface TenantSlot {
  tenant: string;
  granted: boolean;
  /** Priority for the step this one queues next (from the tenant's backlog now); 0 = none (fifo). */
  nextPriority: number;
  /** With `granted` false: how long to hold the step back before it tries again. */
  retryMs: number;
  /** Frees the running slot (a no-op when none was taken); sent, not awaited, at the step's end. */
  release(): Promise<void>;
}

/** Longest a capped tenant's step is held back before it tries again. */
const MAX_CAP_RETRY_MS = 10_000;

/**
 * Takes the step out of its tenant's backlog and, under the tenant's concurrency cap, a running slot. A
 * step over the cap waits longer the more of its tenant's steps wait, so a capped tenant with a large
 * backlog does not churn the queue.
 */
export async function takeTenantSlot(deps: StepDeps, job: Job, tenant: string): Promise<TenantSlot> {
  const jobId = job.id as string;
  const start = await deps.scheduler.startStep(tenant, jobId);
  let released: Promise<void> | undefined;
  const retryMs = start.granted ? 0 : Math.min(MAX_CAP_RETRY_MS, 100 * Math.ceil((start.backlog + 1) / Math.max(1, start.cap))) * (1 + Math.random() / 2);
  return {
    tenant,
    granted: start.granted,
    nextPriority: deps.scheduling === 'fifo' ? 0 : stepPriority(start.backlog, start.weight),
    retryMs: Math.round(retryMs),
    // Idempotent: the step sends it beside its last event writes; the caller's `finally` only makes sure.
    release: () => (released ??= start.granted ? deps.scheduler.finishStep(tenant, jobId) : Promise.resolve()),
  };
}
