import { MockApiError } from './api-error.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimits {
  rpm: number | undefined;
  itpm: number | undefined;
  otpm: number | undefined;
}

export type Admission =
  | { ok: true; /** Refunds the unused part of the output estimate; call once the answer is complete. */ release(outputTokens: number): void }
  | { ok: false; error: MockApiError };

type BucketName = 'requests' | 'input-tokens' | 'output-tokens';

const UNIT: Record<BucketName, string> = {
  requests: 'requests',
  'input-tokens': 'input tokens',
  'output-tokens': 'output tokens',
};

/** RFC 3339 at whole seconds, rounded up, like the API's `*-reset` headers. */
function rfc3339(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Request, input-token and output-token buckets of one organisation. Output
 * is charged `max_tokens` up front, as the API estimates it, and the unused
 * part is refunded when the answer completes. A cost larger than a whole
 * bucket is capped at the bucket size: such a request waits for a full bucket
 * rather than being refused forever.
 */
export class RateLimiter {
  private buckets = new Map<BucketName, TokenBucket>();

  constructor(limits: RateLimits, now: number) {
    this.setLimits(limits, now);
  }

  /** Applies new limits; a bucket whose limit changed starts full. */
  setLimits(limits: RateLimits, now: number): void {
    const wanted: [BucketName, number | undefined][] = [
      ['requests', limits.rpm],
      ['input-tokens', limits.itpm],
      ['output-tokens', limits.otpm],
    ];
    for (const [name, limit] of wanted) {
      if (limit === undefined) this.buckets.delete(name);
      else if (this.buckets.get(name)?.limit !== limit) this.buckets.set(name, new TokenBucket(limit, now));
    }
  }

  admit(inputTokens: number, maxTokens: number, now: number): Admission {
    const wanted: [BucketName, number][] = [
      ['requests', 1],
      ['input-tokens', inputTokens],
      ['output-tokens', maxTokens],
    ];
    const costs: [TokenBucket, number][] = [];
    let refusal: { name: BucketName; limit: number } | undefined;
    let waitMs = 0;
    for (const [name, amount] of wanted) {
      const bucket = this.buckets.get(name);
      if (!bucket) continue;
      const cost = Math.min(amount, bucket.limit);
      const wait = bucket.msUntil(cost, now);
      if (wait > 0) {
        refusal ??= { name, limit: bucket.limit };
        waitMs = Math.max(waitMs, wait);
      }
      costs.push([bucket, cost]);
    }
    if (refusal) {
      const message = `This request would exceed the rate limit for your organization of ${refusal.limit} ${UNIT[refusal.name]} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`;
      const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
      return { ok: false, error: new MockApiError(429, message, 'rate_limit_error', { 'retry-after': retryAfter }) };
    }
    for (const [bucket, cost] of costs) bucket.take(cost, now);
    const output = this.buckets.get('output-tokens');
    const charged = output ? Math.min(maxTokens, output.limit) : 0;
    let released = false;
    return {
      ok: true,
      release: (outputTokens: number) => {
        if (released || !output) return;
        released = true;
        output.give(Math.max(0, charged - outputTokens), Date.now());
      },
    };
  }

  /** The `anthropic-ratelimit-*` headers for the configured buckets. */
  headers(now: number): Record<string, string> {
    const headers: Record<string, string> = {};
    const describe = (prefix: string, bucket: TokenBucket): void => {
      headers[`anthropic-ratelimit-${prefix}-limit`] = String(bucket.limit);
      headers[`anthropic-ratelimit-${prefix}-remaining`] = String(Math.max(0, Math.floor(bucket.available(now))));
      headers[`anthropic-ratelimit-${prefix}-reset`] = rfc3339(bucket.fullAt(now));
    };
    for (const [name, bucket] of this.buckets) describe(name, bucket);
    // `tokens-*` reports whichever token limit is closest to refusing a request.
    const tokenBuckets = [this.buckets.get('input-tokens'), this.buckets.get('output-tokens')].filter((b): b is TokenBucket => b !== undefined);
    const tightest = tokenBuckets.sort((a, b) => a.available(now) - b.available(now))[0];
    if (tightest) describe('tokens', tightest);
    return headers;
  }
}
