import type { Stores } from '@agentq/shared';
import type { Queue } from 'bullmq';
import { runWorkerScript } from '../redis/worker-scripts.js';

/** Bounds of a whole-queue pause (a 429's `retry-after`, or the governor's pacing). */
export interface QueuePauseLimits {
  /**
   * The longest a pause may hold the fleet; a longer `retry-after` is cut to this, and the next call after it
   * probes the API again (another 429 pauses again). @defaultValue 300000 (5 minutes)
   */
  maxQueuePauseMs: number;
  /** The shortest pause, so a `retry-after` of 0 or less cannot make a hot loop of calls. @defaultValue 1000 */
  minQueuePauseMs: number;
}

export const DEFAULT_QUEUE_PAUSE_LIMITS: QueuePauseLimits = { maxQueuePauseMs: 300_000, minQueuePauseMs: 1000 };

/** A pause in whole ms within the limits; anything not a finite number (NaN, ±Infinity) gets the floor. */
export function clampPauseMs(ms: number, limits: QueuePauseLimits = DEFAULT_QUEUE_PAUSE_LIMITS): number {
  const floor = Math.max(1, Math.ceil(limits.minQueuePauseMs));
  const ceiling = Math.max(floor, Math.floor(limits.maxQueuePauseMs));
  if (!Number.isFinite(ms)) return floor;
  return Math.min(ceiling, Math.max(floor, Math.ceil(ms)));
}

/** Pauses every worker of the queue for `ms` (clamped); returns the pause now in force. */
export async function pauseQueue(deps: { stores: Pick<Stores, 'redis'>; queue: Pick<Queue, 'toKey'> }, ms: number, limits: QueuePauseLimits): Promise<number> {
  return runWorkerScript<number>(deps.stores.redis, 'extendQueuePause', [deps.queue.toKey('limiter')], [clampPauseMs(ms, limits)]);
}
