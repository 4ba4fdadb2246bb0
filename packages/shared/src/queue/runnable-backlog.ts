import type { Queue } from 'bullmq';
import { WORKER_LIMITER } from './worker-limiter.js';

/** What one queue holds that a worker could start now, and why it may be held. */
export interface QueueBacklog {
  queue: string;
  /** Steps a worker would take now: waiting + prioritized + delayed jobs already due; 0 while the queue is held. */
  ready: number;
  /** Steps running now (they hold worker slots, so a fleet sized on `ready` alone would shrink under load). */
  active: number;
  waiting: number;
  prioritized: number;
  /** Delayed jobs whose time has come: a worker promotes them on its next fetch. */
  dueDelayed: number;
  /** Delayed jobs still in the future (backoffs, deferrals, approval timeouts): nothing can run them yet. */
  futureDelayed: number;
  /** Paused by an operator (`agentq queue pause`). */
  paused: boolean;
  /** Remaining ms of a rate-limit pause (a provider 429's retry-after), 0 when none. */
  rateLimitPauseMs: number;
}

/** The runnable backlog over the queues a fleet consumes: the signal an autoscaler should follow. */
export interface RunnableBacklog {
  /** Sum of `ready` over the queues. */
  ready: number;
  /** Sum of `active` over the queues. */
  active: number;
  /** `ready + active`: the worker slots the fleet could keep busy now. */
  demand: number;
  queues: QueueBacklog[];
}

/**
 * Reads the steps that could run now from each queue and sums them. A queue held by a provider 429 (or by an
 * operator) counts 0 ready steps: its jobs wait but no worker may start them, so more workers would only wait
 * too. Delayed jobs count once they are due, so a backoff or deferral that has ended is work like any other,
 * while one still in the future is not. Takes a list so a fleet that consumes several queues reads one number.
 */
export async function readRunnableBacklog(queues: readonly Queue[], now: number = Date.now()): Promise<RunnableBacklog> {
  const perQueue = await Promise.all(queues.map((queue) => readQueueBacklog(queue, now)));
  const ready = perQueue.reduce((sum, q) => sum + q.ready, 0);
  const active = perQueue.reduce((sum, q) => sum + q.active, 0);
  return { ready, active, demand: ready + active, queues: perQueue };
}

async function readQueueBacklog(queue: Queue, now: number): Promise<QueueBacklog> {
  const [counts, due, paused, ttl] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
    // Counts scores strictly before the cutoff: +1 takes the jobs due at `now` itself.
    queue.getDelayedCount(Math.floor(now) + 1),
    queue.isPaused(),
    // With a max, only a pause counts: the workers' limiter also counts each fetch in the key, with a 1 s expiry.
    queue.getRateLimitTtl(WORKER_LIMITER.max),
  ]);
  const waiting = counts.waiting ?? 0;
  const prioritized = counts.prioritized ?? 0;
  const delayed = counts.delayed ?? 0;
  const dueDelayed = Math.min(due, delayed);
  const rateLimitPauseMs = Math.max(0, ttl);
  const held = paused || rateLimitPauseMs > 0;
  return {
    queue: queue.name,
    ready: held ? 0 : waiting + prioritized + dueDelayed,
    active: counts.active ?? 0,
    waiting,
    prioritized,
    dueDelayed,
    futureDelayed: Math.max(0, delayed - dueDelayed),
    paused,
    rateLimitPauseMs,
  };
}
