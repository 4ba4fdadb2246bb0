import type { EventLoopHealth } from './event-loop-health.js';
import type { RedisHealth } from './redis-health.js';

/** One probe's verdict and what it was based on (the HTTP body). */
export interface ProbeReport {
  ok: boolean;
  [detail: string]: unknown;
}

export interface Probes {
  /** Restart the process when false. */
  liveness(): ProbeReport;
  /** Send no work (nor traffic) while false. */
  readiness(): ProbeReport;
}

/**
 * The worker's probes. Liveness looks at the process only (its event loop): a Redis outage must not fail it,
 * or Kubernetes would restart every pod during a Redis blip, dropping their in-flight steps for nothing.
 * Readiness asks whether this worker can take steps: Redis answers and its BullMQ workers run (they took
 * their queues and are not closing).
 */
export function workerProbes(redis: RedisHealth, eventLoop: EventLoopHealth, queuesTaken: () => boolean): Probes {
  return {
    liveness() {
      const eventLoopDelayMs = eventLoop.delayMs();
      return { ok: eventLoopDelayMs <= eventLoop.maxDelayMs, eventLoopDelayMs, maxEventLoopDelayMs: eventLoop.maxDelayMs, ...redis.state() };
    },
    readiness() {
      const state = redis.state();
      const taken = queuesTaken();
      return { ok: state.redis === 'up' && taken, ...state, queues: taken ? 'taken' : 'not taken' };
    },
  };
}
