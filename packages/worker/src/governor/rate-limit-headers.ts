/** One bucket as the API reports it on a response. */
export interface ReportedBucket {
  limit: number | undefined;
  remaining: number | undefined;
  /** When the bucket is full again, ms since the epoch (from the RFC 3339 `-reset` header). */
  resetAt: number | undefined;
}

/** What the `anthropic-ratelimit-*` headers of one response say. */
export interface ReportedLimits {
  requests: ReportedBucket;
  inputTokens: ReportedBucket;
  outputTokens: ReportedBucket;
}

function num(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function bucket(headers: Headers, name: string, now: number): ReportedBucket {
  const limit = num(headers, `anthropic-ratelimit-${name}-limit`);
  let remaining = num(headers, `anthropic-ratelimit-${name}-remaining`);
  const resetRaw = headers.get(`anthropic-ratelimit-${name}-reset`);
  const parsed = resetRaw ? Date.parse(resetRaw) : Number.NaN;
  const resetAt = Number.isNaN(parsed) ? undefined : parsed;
  // Without `remaining`, the reset time still tells how far from full the bucket is (it refills at limit/min).
  if (remaining === undefined && limit !== undefined && resetAt !== undefined) {
    remaining = Math.max(0, limit - (Math.max(0, resetAt - now) * limit) / 60_000);
  }
  return { limit, remaining, resetAt };
}

/**
 * Reads `anthropic-ratelimit-{requests,input-tokens,output-tokens}-{limit,remaining,reset}`. The combined
 * `anthropic-ratelimit-tokens-*` headers report whichever token limit is closest, so they add nothing here.
 */
export function parseRateLimitHeaders(headers: Headers | undefined, now = Date.now()): ReportedLimits | undefined {
  if (!headers) return undefined;
  const reported = {
    requests: bucket(headers, 'requests', now),
    inputTokens: bucket(headers, 'input-tokens', now),
    outputTokens: bucket(headers, 'output-tokens', now),
  };
  const any = Object.values(reported).some((b) => b.limit !== undefined || b.remaining !== undefined);
  return any ? reported : undefined;
}
