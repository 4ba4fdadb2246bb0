const MINUTE_MS = 60_000;

/** A bucket of `limit` units that refills continuously at `limit` per minute, as the API's limits do. */
export class TokenBucket {
  readonly limit: number;
  private level: number;
  private updatedAt: number;

  constructor(limit: number, now: number) {
    this.limit = limit;
    this.level = limit;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.limit, this.level + ((now - this.updatedAt) * this.limit) / MINUTE_MS);
      this.updatedAt = now;
    }
  }

  available(now: number): number {
    this.refill(now);
    return this.level;
  }

  /** Milliseconds until `amount` units are available (0 when they already are). */
  msUntil(amount: number, now: number): number {
    const missing = amount - this.available(now);
    return missing <= 0 ? 0 : (missing * MINUTE_MS) / this.limit;
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }

  give(amount: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.limit, this.level + amount);
  }

  /** When the bucket will be full again, in ms since the epoch. */
  fullAt(now: number): number {
    return now + this.msUntil(this.limit, now);
  }
}
