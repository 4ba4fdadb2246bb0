import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';

const TICK_MS = 20;

export interface EventLoopHealthOptions {
  /**
   * Liveness fails when the event loop's worst delay over the last window is above this: a loop stuck this long
   * cannot renew job locks nor answer Redis, and a restart is the cure. @defaultValue 10000
   */
  maxDelayMs?: number;
  /** Length of one measuring window. @defaultValue 5000 */
  windowMs?: number;
}

/**
 * Measures event-loop delay in fixed windows, with `perf_hooks.monitorEventLoopDelay` and with a tick of its
 * own (how late a 20 ms interval fires): the histogram at times held no sample after a 400 ms block (Node 24,
 * in a test process), the tick sees every one. The verdict uses the window in progress and the last complete
 * one, so one slow tick is seen for a whole window but not forever.
 */
export class EventLoopHealth {
  readonly maxDelayMs: number;
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private readonly tick: NodeJS.Timeout;
  private lastTickAt = performance.now();
  private tickMaxMs = 0;
  private lastWindowMaxMs = 0;

  constructor(options: EventLoopHealthOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
    this.tick = setInterval(() => {
      const now = performance.now();
      this.tickMaxMs = Math.max(this.tickMaxMs, Math.round(now - this.lastTickAt - TICK_MS));
      this.lastTickAt = now;
    }, TICK_MS);
    this.tick.unref();
    this.timer = setInterval(() => {
      this.lastWindowMaxMs = this.currentMaxMs();
      this.histogram.reset();
      this.tickMaxMs = 0;
    }, options.windowMs ?? 5000);
    this.timer.unref();
  }

  /** The worst delay seen in the last complete window and the one in progress, in ms. */
  delayMs(): number {
    return Math.max(this.lastWindowMaxMs, this.currentMaxMs());
  }

  get healthy(): boolean {
    return this.delayMs() <= this.maxDelayMs;
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.tick);
    this.histogram.disable();
  }

  private currentMaxMs(): number {
    // The histogram's `max` is in ns (0 while empty); the tick's lateness is the delay it was held.
    return Math.max(Math.round(this.histogram.max / 1e6), this.tickMaxMs);
  }
}
