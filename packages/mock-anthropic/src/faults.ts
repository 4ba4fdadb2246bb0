import { defaultErrorMessage, defaultErrorType } from './api-error.js';
import type { FailSpec } from './options.js';
import type { Random } from './random.js';
import type { ScriptError } from './script.js';

/** An injected error, answered instead of the scripted turn. */
export interface Fault {
  status: number;
  type: string;
  message: string;
  headers: Record<string, string>;
  /** Start the stream and fail inside it (streaming requests only). */
  midStream: boolean;
}

function toFault(spec: FailSpec | ScriptError): Fault {
  const retryAfter = spec.retryAfterSec ?? (spec.status === 429 ? 1 : undefined);
  return {
    status: spec.status,
    type: spec.type ?? defaultErrorType(spec.status),
    message: spec.message ?? defaultErrorMessage(spec.status),
    headers: retryAfter === undefined ? {} : { 'retry-after': String(Math.ceil(retryAfter)) },
    midStream: spec.midStream === true,
  };
}

/**
 * Decides which requests fail on purpose: first the `failNext` queue, then
 * the random fail/overload rates, then errors a script puts on a turn (each
 * answered `times` times per conversation and turn).
 */
export class FaultInjector {
  private queue: FailSpec[] = [];
  private readonly scriptedCounts = new Map<string, number>();
  private random: Random;

  constructor(random: Random) {
    this.random = random;
  }

  setQueue(specs: readonly FailSpec[]): void {
    this.queue = [...specs];
  }

  setRandom(random: Random): void {
    this.random = random;
  }

  pending(): FailSpec[] {
    return [...this.queue];
  }

  next(rates: { failRate: number; overloadRate: number }, scripted?: { key: string; error: ScriptError }, model?: string): Fault | undefined {
    // The first queued fault that applies to this request's model; faults aimed at another model wait.
    const at = this.queue.findIndex((spec) => spec.model === undefined || spec.model === model);
    const queued = at >= 0 ? this.queue.splice(at, 1)[0] : undefined;
    if (queued) return toFault(queued);
    if (rates.failRate > 0 || rates.overloadRate > 0) {
      // One draw per request keeps a seeded run reproducible whichever rate is set.
      const r = this.random();
      if (r < rates.failRate) return toFault({ status: 500 });
      if (r < rates.failRate + rates.overloadRate) return toFault({ status: 529 });
    }
    if (scripted) {
      const count = this.scriptedCounts.get(scripted.key) ?? 0;
      if (count < scripted.error.times) {
        this.scriptedCounts.set(scripted.key, count + 1);
        return toFault(scripted.error);
      }
    }
    return undefined;
  }
}
