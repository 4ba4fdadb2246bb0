import { BatchStore } from './batch-store.js';
import { FaultInjector } from './faults.js';
import { mergeOptions, type ResolvedOptions, type RuntimeOptions } from './options.js';
import { PromptCache } from './prompt-cache.js';
import { seededRandom, type Random } from './random.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestLog } from './request-log.js';

// Jitter gets its own stream of numbers so adding latency does not change which requests fail.
const JITTER_SEED_SALT = 0x9e3779b9;

/** Everything one mock server remembers between requests. */
export class MockState {
  options: ResolvedOptions;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly cache = new PromptCache();
  readonly log: RequestLog;
  readonly batches = new BatchStore();
  private jitterRandom: Random;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.limiter = new RateLimiter(options, Date.now());
    this.faults = new FaultInjector(seededRandom(options.seed));
    this.faults.setQueue(options.failNext);
    this.batches.setFailQueue(options.batchFailNext);
    this.log = new RequestLog(options.maxRecorded);
    this.jitterRandom = seededRandom(options.seed ^ JITTER_SEED_SALT);
  }

  update(patch: RuntimeOptions): void {
    this.options = mergeOptions(this.options, patch);
    this.limiter.setLimits(this.options, Date.now());
    this.log.limit = this.options.maxRecorded;
    if (patch.failNext !== undefined) this.faults.setQueue(this.options.failNext);
    if (patch.batchFailNext !== undefined) this.batches.setFailQueue(this.options.batchFailNext);
    if (patch.seed !== undefined) {
      this.faults.setRandom(seededRandom(patch.seed));
      this.jitterRandom = seededRandom(patch.seed ^ JITTER_SEED_SALT);
    }
  }

  /** The delay before the next answer: fixed latency plus uniform jitter. */
  nextLatencyMs(): number {
    const { latencyMs, jitterMs } = this.options;
    return latencyMs + (jitterMs > 0 ? Math.round(this.jitterRandom() * jitterMs) : 0);
  }

  /** Current options, with the failNext entries not yet consumed. */
  snapshot(): ResolvedOptions {
    return { ...this.options, failNext: this.faults.pending(), batchFailNext: this.batches.pendingFaults() };
  }
}
