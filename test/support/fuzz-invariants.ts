import { isTerminal, type Redis, type SessionResult } from '@agentq/shared';

/**
 * Keys under `prefix` with no expiry, leaving out the fleet-wide ones that are kept by design: the session
 * index and the global event stream (both trimmed rather than expired), and the agent registry of a queue
 * (one entry per agent and worker, replaced on every publish, not per session).
 */
export async function keysWithoutTtl(redis: Redis, prefix: string): Promise<string[]> {
  const keep = new Set([`${prefix}:sessions`, `${prefix}:events`]);
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const candidates = keys.filter((key) => !keep.has(key) && !key.startsWith(`${prefix}:registry:`));
    if (candidates.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of candidates) pipeline.pttl(key);
    const ttls = (await pipeline.exec()) ?? [];
    candidates.forEach((key, i) => {
      if (ttls[i]?.[1] === -1) found.push(key);
    });
  } while (cursor !== '0');
  return found.sort();
}

/** Open tenant reservations (members of every reservation set) and reserved tokens left on any tenant's day. */
export async function heldReservations(redis: Redis, prefix: string): Promise<{ open: number; reservedTokens: number }> {
  let open = 0;
  let reservedTokens = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:tenant:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (key.includes(':resv:')) open += await redis.zcard(key);
      if (key.includes(':usage:')) reservedTokens += Number((await redis.hget(key, 'reservedTokens')) ?? 0);
    }
  } while (cursor !== '0');
  return { open, reservedTokens };
}

/** Counts the process's unhandled rejections while a test runs. */
export function watchUnhandledRejections(): { count(): number; stop(): void } {
  let count = 0;
  const onRejection = () => {
    count += 1;
  };
  process.on('unhandledRejection', onRejection);
  return { count: () => count, stop: () => process.off('unhandledRejection', onRejection) };
}

export interface FuzzEndState {
  /** Sessions by `status` or `status:code`. */
  outcomes: Record<string, number>;
  notTerminal: number;
  keysWithoutTtl: string[];
  held: { open: number; reservedTokens: number };
}

/** The invariants every fuzz run checks once its sessions are done, read in one place. */
export async function fuzzEndState(redis: Redis, prefix: string, results: SessionResult[]): Promise<FuzzEndState> {
  const outcomes: Record<string, number> = {};
  for (const r of results) {
    const key = `${r.status}${r.error ? `:${r.error.code}` : ''}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    outcomes,
    notTerminal: results.filter((r) => !isTerminal(r.status)).length,
    keysWithoutTtl: await keysWithoutTtl(redis, prefix),
    held: await heldReservations(redis, prefix),
  };
}

/** The line a fuzz run prints: its end state as counts. */
export function formatEndState(end: FuzzEndState, unhandledRejections: number): string {
  return (
    `outcomes=${JSON.stringify(end.outcomes)} notTerminal=${end.notTerminal} keysWithoutTtl=${end.keysWithoutTtl.length} ${JSON.stringify(end.keysWithoutTtl.slice(0, 3))} ` +
    `reservationsHeld=${end.held.open} reservedTokens=${end.held.reservedTokens} unhandledRejections=${unhandledRejections}`
  );
}
