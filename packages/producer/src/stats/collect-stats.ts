import type { Stores } from '@agentq/shared';
import { computeStats, type Stats } from './compute-stats.js';

export interface CollectStatsOptions {
  /** Start of the window, ms since epoch. */
  since: number;
  /** End of the window. @defaultValue now */
  until?: number;
  /** Only this agent. */
  agent?: string;
  /** Most events read from the global stream. @defaultValue 1000000 */
  maxEvents?: number;
}

/**
 * Reads the global event stream from `since` (every shard's, merged in time order, when given several
 * shards' stores) and computes the stats. Events without an agent (written by a producer, e.g. approval
 * decisions) are attributed through their session's record.
 */
export async function collectStats(shards: Stores | readonly Stores[], options: CollectStatsOptions): Promise<Stats> {
  const all = Array.isArray(shards) ? (shards as readonly Stores[]) : [shards as Stores];
  const stores = all[0] as Stores;
  const perShard = await Promise.all(all.map((s) => s.events.since(options.since, { count: options.maxEvents ?? 1_000_000 })));
  const events = perShard.length === 1 ? (perShard[0] ?? []) : perShard.flat().sort((a, b) => a.timestamp - b.timestamp);
  const missing = [...new Set(events.filter((e) => !e.agent).map((e) => e.sessionId))];
  const agentOf = new Map<string, string>();
  for (let i = 0; i < missing.length; i += 1000) {
    const slice = missing.slice(i, i + 1000);
    const sessions = await stores.sessions.getMany(slice);
    sessions.forEach((session, j) => {
      if (session) agentOf.set(slice[j] as string, session.agent);
    });
  }
  return computeStats(events, {
    since: options.since,
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    agentOf,
  });
}
