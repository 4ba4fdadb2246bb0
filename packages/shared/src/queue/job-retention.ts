import type { KeepJobs } from 'bullmq';
import { type Retention, retentionFromEnv } from '../session/retention.js';

const DAY_S = 24 * 3600;

/** How long BullMQ keeps finished jobs, in the shape `removeOnComplete` / `removeOnFail` take. */
export interface JobRetention {
  removeOnComplete: KeepJobs;
  removeOnFail: KeepJobs;
}

/**
 * Finished jobs are kept a day (so a duplicated `add` of the same id is ignored meanwhile) and failed ones a
 * week, but never longer than the session data they belong to: with `AGENTQ_RESULT_TTL_MS` or
 * `AGENTQ_SESSION_TTL_MS` shorter, the job hashes go with the sessions.
 */
export function jobRetentionFor(retention: Retention): JobRetention {
  const ttls = [retention.sessionTtlMs, retention.resultTtlMs].filter((ttl) => ttl > 0).map((ttl) => Math.max(1, Math.ceil(ttl / 1000)));
  const cap = ttls.length > 0 ? Math.min(...ttls) : Number.POSITIVE_INFINITY;
  return { removeOnComplete: { age: Math.min(DAY_S, cap), count: 100_000 }, removeOnFail: { age: Math.min(7 * DAY_S, cap) } };
}

let fromEnv: JobRetention | undefined;

/** {@link jobRetentionFor} the retention in the environment, read once per process. */
export function defaultJobRetention(): JobRetention {
  fromEnv ??= jobRetentionFor(retentionFromEnv());
  return fromEnv;
}
