import type { Logger } from '@agentq/shared';

export interface WebhookSenderOptions {
  url: string;
  /** Deliveries tried per payload before it is dropped. @defaultValue 5 */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in ms (full jitter). @defaultValue 500 */
  backoffBaseMs?: number;
  /** Cap of one backoff wait, in ms. @defaultValue 30000 */
  backoffMaxMs?: number;
  /** Time limit of one POST, in ms. @defaultValue 5000 */
  timeoutMs?: number;
  /** Payloads waiting at most; the oldest is dropped beyond it, so an unreachable receiver cannot grow memory. @defaultValue 1000 */
  maxQueued?: number;
  logger?: Logger;
}

export interface WebhookSenderStats {
  sent: number;
  failedAttempts: number;
  dropped: number;
  queued: number;
}

/**
 * Fire-and-forget delivery: `send` only queues, one loop posts in order with bounded retries. A step never
 * waits on a webhook, and a receiver that is down costs only this process's bounded queue.
 */
export class WebhookSender {
  private readonly queue: unknown[] = [];
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly stop = new AbortController();
  readonly stats: WebhookSenderStats = { sent: 0, failedAttempts: 0, dropped: 0, queued: 0 };

  constructor(private readonly options: WebhookSenderOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxQueued = options.maxQueued ?? 1000;
  }

  send(payload: unknown): void {
    if (this.closed) return;
    this.queue.push(payload);
    if (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.stats.dropped += 1;
    }
    this.stats.queued = this.queue.length;
    this.kick();
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      // a payload queued while the loop was finishing gets a loop of its own
      if (this.queue.length > 0 && !this.stop.signal.aborted) this.kick();
    });
  }

  /** Waits up to `graceMs` for queued payloads, then gives up on the rest. */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.stop.abort();
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
    this.stats.queued = 0;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stop.signal.aborted) {
      const payload = this.queue.shift();
      this.stats.queued = this.queue.length;
      const delivered = await this.deliver(payload);
      if (delivered) this.stats.sent += 1;
      else this.stats.dropped += 1;
    }
  }

  private async deliver(payload: unknown): Promise<boolean> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stop.signal]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        // 4xx other than 408/429 will not get better by retrying (bad URL, revoked hook)
        if (res.status < 500 && res.status !== 408 && res.status !== 429) {
          this.options.logger?.warn({ status: res.status }, 'alert webhook refused the payload');
          return false;
        }
        const header = Number(res.headers.get('retry-after'));
        if (Number.isFinite(header) && header > 0) retryAfterMs = header * 1000;
        this.options.logger?.warn({ status: res.status, attempt }, 'alert webhook failed, will retry');
      } catch (error) {
        if (this.stop.signal.aborted) return false;
        this.options.logger?.warn({ err: error instanceof Error ? error.message : String(error), attempt }, 'alert webhook unreachable, will retry');
      }
      this.stats.failedAttempts += 1;
      if (attempt === this.maxAttempts) break;
      const backoff = Math.random() * Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
      await sleep(Math.min(this.backoffMaxMs, retryAfterMs ?? backoff), this.stop.signal);
    }
    this.options.logger?.error({ attempts: this.maxAttempts }, 'alert webhook gave up on a payload');
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
