import { WORKER_LIMITER } from '@agentq/shared';
import type { Queue } from 'bullmq';

/** What an operator needs to know about the queue: is it held, for how long, and what is in it. */
export interface QueueStatus {
  queue: string;
  /** Paused by an operator (`agentq queue pause`): no worker takes a job until `resume`. */
  paused: boolean;
  /** Remaining ms of a rate-limit pause (a 429's retry-after or the governor), 0 when none. */
  rateLimitPauseMs: number;
  counts: { waiting: number; active: number; delayed: number; prioritized: number; failed: number };
}

/**
 * Operator controls of the queue, behind `agentq queue status|pause|resume` and the dashboard's
 * `/api/queue` routes.
 */
export class QueueControl {
  constructor(private readonly queue: Queue) {}

  async status(): Promise<QueueStatus> {
    const [paused, ttl, counts] = await Promise.all([
      this.queue.isPaused(),
      // With a max, only a pause counts: the workers' limiter also counts each fetch in the key, with a 1 s expiry.
      this.queue.getRateLimitTtl(WORKER_LIMITER.max),
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
    ]);
    return {
      queue: this.queue.name,
      paused,
      rateLimitPauseMs: Math.max(0, ttl),
      counts: {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        prioritized: counts.prioritized ?? 0,
        failed: counts.failed ?? 0,
      },
    };
  }

  /** Holds every worker: steps in flight finish, no new job starts. */
  async pause(): Promise<QueueStatus> {
    await this.queue.pause();
    return this.status();
  }

  /** Lifts an operator pause and any rate-limit pause in force (the next model call re-probes the API). */
  async resume(): Promise<QueueStatus> {
    await this.queue.resume();
    await this.queue.removeRateLimitKey();
    return this.status();
  }
}

/**
 * The controls of every shard's queue, or of one (`--shard`). A fleet with one queue reads exactly as
 * before: one status, not a list of one.
 */
export function queueControls(queues: readonly Queue[], shard?: number): QueueControl[] {
  if (shard === undefined) return queues.map((q) => new QueueControl(q));
  const queue = queues[shard];
  if (!queue) throw new RangeError(`shard ${shard} is not one of 0..${queues.length - 1}`);
  return [new QueueControl(queue)];
}
