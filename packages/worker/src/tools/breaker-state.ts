import { type Redis } from '@agentq/shared';
import { type Keys } from '@agentq/shared/internal';
import { runWorkerScript } from '../redis/worker-scripts.js';

/** Whether a call may run now (see checkBreaker-1.lua). */
export type BreakerCheck =
  | { decision: 'allow' }
  /** One trial call may run; `halfOpened` when this check moved the breaker from open to half-open. */
  | { decision: 'trial'; halfOpened: boolean }
  /** Open, or a trial already running: retry at `retryAt` (ms). */
  | { decision: 'reject'; retryAt: number };

/** What a call's outcome did to the breaker (see recordBreaker-2.lua). */
export interface BreakerRecord {
  transition: 'opened' | 'closed' | undefined;
  /** Failures inside the window when this one was recorded. */
  failures: number;
}

/**
 * The tools' fleet-wide circuit breakers as stored in Redis: the state read and the two scripts, each in one
 * method here, so their keys and the scripts' KEYS and ARGV order are written once. Built once per worker.
 */
export class BreakerState {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** The breaker's stored state (`closed`, `open`, `half_open`), or null when it has none: a read that changes nothing. */
  state(tool: string): Promise<string | null> {
    return this.redis.hget(this.keys.breaker(tool), 'state');
  }

  /** Asks whether a call of `tool` may run at `now`; may move an open breaker whose cool-down is over to half-open. */
  async check(tool: string, at: { now: number; cooldownMs: number; trialLeaseMs: number }): Promise<BreakerCheck> {
    const [decision, extra] = await runWorkerScript<[string, string | number]>(
      this.redis,
      'checkBreaker',
      [this.keys.breaker(tool)],
      [at.now, at.cooldownMs, at.trialLeaseMs],
    );
    if (decision === 'allow') return { decision: 'allow' };
    if (decision === 'trial') return { decision: 'trial', halfOpened: extra === 'half_open' };
    return { decision: 'reject', retryAt: Number(extra) };
  }

  /**
   * Records how a call of `tool` ended: `openAfter` failures within `windowMs` open the breaker. `callId` is
   * unique per call, so a failure recorded twice counts once.
   */
  async record(tool: string, call: { now: number; failed: boolean; openAfter: number; windowMs: number; callId: string }): Promise<BreakerRecord> {
    const [transition, failures] = await runWorkerScript<[string, number]>(
      this.redis,
      'recordBreaker',
      [this.keys.breaker(tool), this.keys.breakerFailures(tool)],
      [call.now, call.failed ? '1' : '0', call.openAfter, call.windowMs, call.callId],
    );
    return { transition: transition === 'opened' || transition === 'closed' ? transition : undefined, failures };
  }
}
