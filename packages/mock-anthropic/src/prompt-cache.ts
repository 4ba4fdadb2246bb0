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
/** How many blocks before a breakpoint the API looks for an earlier cache entry. */
const LOOKBACK_BLOCKS = 20;

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
    const breakpoints: { hash: string; prefixTokens: number; ttl: CacheTtl; at: number }[] = [];
    const prefixes: { hash: string; prefixTokens: number }[] = [];
    let hash = createHash('sha256').update(model).digest('hex');
    let prefixTokens = 0;
    segments.forEach((s, at) => {
      hash = createHash('sha256').update(hash).update(s.key).digest('hex');
      prefixTokens += s.tokens;
      prefixes.push({ hash, prefixTokens });
      if (s.cacheTtl) breakpoints.push({ hash, prefixTokens, ttl: s.cacheTtl, at });
    });
    // Like the API, a breakpoint also finds an entry written at any of the LOOKBACK blocks before it: a
    // conversation whose breakpoint moves forward each turn reads the previous turn's prefix back.
    let cacheRead = 0;
    for (const b of breakpoints) {
      for (let at = b.at; at >= Math.max(0, b.at - LOOKBACK_BLOCKS); at--) {
        const p = prefixes[at];
        if (p && (this.expiries.get(p.hash) ?? 0) > now) {
          cacheRead = Math.max(cacheRead, p.prefixTokens);
          break;
        }
      }
    }
    // Every breakpoint past what was read is written, each from where the previous one ended.
    let creation5m = 0;
    let creation1h = 0;
    let covered = cacheRead;
    for (const b of breakpoints.filter((b) => b.prefixTokens > cacheRead)) {
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
