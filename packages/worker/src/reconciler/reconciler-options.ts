/** The fleet's reconciler: a repeatable job that repairs sessions with no live job behind them. */
export interface ReconcilerOptions {
  /** How often the reconciler job runs (one job scheduler per queue, whichever worker takes it). @defaultValue 30000 */
  everyMs?: number;
  /**
   * A session is looked at only when its record has not changed for this long, so the short gap between a
   * state write and the job add that follows it is never mistaken for a stranded session. @defaultValue 60000
   */
  graceMs?: number;
  /** Repairs of one session within a day before it is failed `session_stranded` instead. @defaultValue 10 */
  maxRepairs?: number;
  /** Sessions read per round trip while scanning the index. @defaultValue 500 */
  pageSize?: number;
}

export type ResolvedReconcilerOptions = Required<ReconcilerOptions>;

export function resolveReconcilerOptions(options: ReconcilerOptions = {}): ResolvedReconcilerOptions {
  return { everyMs: options.everyMs ?? 30_000, graceMs: options.graceMs ?? 60_000, maxRepairs: options.maxRepairs ?? 10, pageSize: options.pageSize ?? 500 };
}
