import type { JobsOptions, Queue } from 'bullmq';
import { JOB_CATALOG, type JobData, type JobKind, type JobName, type RetryPolicy } from '../schemas/job-catalog.js';
import { defaultJobRetention, type JobRetention } from './job-retention.js';

/** Where one job goes: its id, a delay, a priority, and overrides of its kind's retry policy. */
export interface JobPlacement {
  jobId: string;
  delay?: number | undefined;
  /** 1 = first; absent = ahead of every prioritized job. */
  priority?: number | undefined;
  /** Overrides of the catalog's policy (the step's `AGENTQ_STEP_ATTEMPTS` / `AGENTQ_STEP_BACKOFF_MS`). */
  retry?: Partial<RetryPolicy> | undefined;
  /** How long finished jobs are kept, for kinds that follow the session TTLs. @defaultValue {@link defaultJobRetention} */
  retention?: JobRetention | undefined;
}

/** The BullMQ options of a job of kind `name`: the catalog's retry and retention, then the placement. */
export function jobOptions(name: JobName, placement: JobPlacement): JobsOptions {
  const kind: JobKind = JOB_CATALOG[name];
  const attempts = placement.retry?.attempts ?? kind.retry.attempts;
  const backoffMs = placement.retry?.backoffMs ?? kind.retry.backoffMs;
  return {
    jobId: placement.jobId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMs, jitter: 1 },
    ...(kind.keep ?? placement.retention ?? defaultJobRetention()),
    ...(placement.delay && placement.delay > 0 ? { delay: placement.delay } : {}),
    // Fair scheduling across tenants (see tenant-scheduler.ts); BullMQ serves lower numbers first.
    ...(placement.priority && placement.priority > 0 ? { priority: placement.priority } : {}),
  };
}

/** A job of kind `name` as `addBulk` takes it, its data checked against the catalog's schema. */
export function jobEntry<N extends JobName>(name: N, data: JobData<N>, placement: JobPlacement): { name: N; data: JobData<N>; opts: JobsOptions } {
  const schema = JOB_CATALOG[name].data;
  return { name, data: schema.parse(data) as JobData<N>, opts: jobOptions(name, placement) };
}

/** Adds a job of kind `name` (a job with the same id that still exists makes this a no-op); returns its id. */
export async function addJob<N extends JobName>(queue: Queue, name: N, data: JobData<N>, placement: JobPlacement): Promise<string> {
  const entry = jobEntry(name, data, placement);
  await queue.add(entry.name, entry.data, entry.opts);
  return placement.jobId;
}

/** Adds jobs built by {@link jobEntry} in one round trip. */
export async function addJobs(queue: Queue, entries: Array<ReturnType<typeof jobEntry>>): Promise<void> {
  const [only] = entries;
  // `addBulk` builds an ioredis pipeline, whose constructor copies every script BullMQ defines on its
  // connection: for the one job a step adds, that was the largest single entry of the worker's profile.
  if (entries.length === 1 && only) await queue.add(only.name, only.data, only.opts);
  else if (entries.length > 1) await queue.addBulk(entries);
}

/** Upserts the job scheduler that adds a job of kind `name` every `everyMs` (one per queue, whoever calls it). */
export async function scheduleJob<N extends JobName>(queue: Queue, schedulerId: string, name: N, data: JobData<N>, everyMs: number): Promise<void> {
  const kind: JobKind = JOB_CATALOG[name];
  const keep = kind.keep ?? defaultJobRetention();
  await queue.upsertJobScheduler(schedulerId, { every: everyMs }, { name, data: JOB_CATALOG[name].data.parse(data) as JobData<N>, opts: { ...keep } });
}

/**
 * A received job's kind and data, checked against the catalog: `undefined` for a name the catalog does not
 * have, `{ error }` for data that does not match its kind's schema.
 */
export function parseJob(job: { name: string; data: unknown }): { name: JobName; data: unknown; error?: string } | undefined {
  if (!Object.hasOwn(JOB_CATALOG, job.name)) return undefined;
  const name = job.name as JobName;
  const parsed = JOB_CATALOG[name].data.safeParse(job.data);
  if (parsed.success) return { name, data: parsed.data };
  return { name, data: job.data, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ') };
}
