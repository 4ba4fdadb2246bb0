/** Thrown inside a step to put its job back on the queue delayed, without using an attempt. */
export class StepDeferred extends Error {
  constructor(
    readonly delayMs: number,
    readonly reason: string,
  ) {
    super(`step deferred ${delayMs}ms: ${reason}`);
    this.name = 'StepDeferred';
  }
}

/**
 * Thrown inside a step when the whole queue must pause: only a provider 429 does that (the governor defers
 * the one step instead). No attempt is used.
 */
export class QueuePause extends Error {
  constructor(
    readonly pauseMs: number,
    readonly reason: string,
    /** HTTP status behind the pause (429). */
    readonly status: number,
  ) {
    super(`queue paused ${pauseMs}ms: ${reason}`);
    this.name = 'QueuePause';
  }
}
