/** How the batch lane gathers parked model calls into Message Batches and watches them. */
export interface BatchLaneOptions {
  /**
   * Most calls in one submitted batch; a buffer that reaches it is flushed at once. The API takes up to
   * 100,000 requests (256 MB) per batch; one claim script moves the calls, so keep it in the thousands.
   * @defaultValue 1000
   */
  maxBatchSize?: number;
  /** A parked call waits at most this long for its batch to fill before the buffer is submitted. @defaultValue 30000 */
  maxAgeMs?: number;
  /** How often batches in flight are retrieved to see whether they ended. @defaultValue 10000 */
  pollIntervalMs?: number;
  /**
   * A claim older than this that no flusher recorded (its flusher died mid-submit) is resolved by the next
   * flusher: it adopts the unrecorded batch of the same size created since the claim, or submits the calls.
   * Keep it above the model client's timeout. @defaultValue 660000
   */
  claimLeaseMs?: number;
}

export type ResolvedBatchLaneOptions = Required<BatchLaneOptions>;

export const MAX_BATCH_SIZE = 5000;

export function resolveBatchLaneOptions(options: BatchLaneOptions = {}): ResolvedBatchLaneOptions {
  const resolved = {
    maxBatchSize: options.maxBatchSize ?? 1000,
    maxAgeMs: options.maxAgeMs ?? 30_000,
    pollIntervalMs: options.pollIntervalMs ?? 10_000,
    claimLeaseMs: options.claimLeaseMs ?? 660_000,
  };
  if (!Number.isInteger(resolved.maxBatchSize) || resolved.maxBatchSize < 1 || resolved.maxBatchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batch.maxBatchSize must be an integer in 1..${MAX_BATCH_SIZE} (got ${resolved.maxBatchSize})`);
  }
  for (const key of ['maxAgeMs', 'pollIntervalMs', 'claimLeaseMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) throw new RangeError(`batch.${key} must be a positive integer of ms (got ${resolved[key]})`);
  }
  return resolved;
}
