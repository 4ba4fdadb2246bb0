import { createHash } from 'node:crypto';
import type { CacheTtl, PromptSegment } from './token-count.js';

/** How a request's input tokens split between plain input, cache writes and cache reads. */
export interface CacheUsage {
  inputTokens: number;
  cacheCreation: number;
  cacheRead: number;
  creation5m: number;
  creation1h: number;
}

export interface CachePlan extends CacheUsage {
  /** Stores the prefixes; only called once the request is admitted, so a rejected request caches nothing. */
  commit(now: number): void;
}

const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/**
 * Remembers hashes of cached prompt prefixes, like the API's prompt cache:
 * the first request with a breakpoint writes the prefix up to it
 * (cache_creation), a later request with an identical prefix reads it
 * (cache_read) and refreshes its lifetime. Keyed by model, as the real cache is.
 */
export class PromptCache {
  private readonly expiries = new Map<string, number>();

  plan(model: string, segments: readonly PromptSegment[], now: number): CachePlan {
    const total = segments.reduce((sum, s) => sum + s.tokens, 0);
    const breakpoints: { hash: string; prefixTokens: number; ttl: CacheTtl }[] = [];
    let hash = createHash('sha256').update(model).digest('hex');
    let prefixTokens = 0;
    for (const s of segments) {
      hash = createHash('sha256').update(hash).update(s.key).digest('hex');
      prefixTokens += s.tokens;
      if (s.cacheTtl) breakpoints.push({ hash, prefixTokens, ttl: s.cacheTtl });
    }
    let hit = -1;
    breakpoints.forEach((b, i) => {
      if ((this.expiries.get(b.hash) ?? 0) > now) hit = i;
    });
    const cacheRead = hit >= 0 ? (breakpoints[hit]?.prefixTokens ?? 0) : 0;
    let creation5m = 0;
    let creation1h = 0;
    let covered = cacheRead;
    for (const b of breakpoints.slice(hit + 1)) {
      const written = b.prefixTokens - covered;
      if (b.ttl === '1h') creation1h += written;
      else creation5m += written;
      covered = b.prefixTokens;
    }
    const cacheCreation = creation5m + creation1h;
    return {
      inputTokens: Math.max(total === 0 ? 1 : 0, total - cacheRead - cacheCreation),
      cacheCreation,
      cacheRead,
      creation5m,
      creation1h,
      commit: (at: number) => {
        this.evictExpired(at);
        for (const b of breakpoints) this.expiries.set(b.hash, at + TTL_MS[b.ttl]);
      },
    };
  }

  private evictExpired(now: number): void {
    if (this.expiries.size < 10_000) return;
    for (const [hash, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(hash);
  }
}
