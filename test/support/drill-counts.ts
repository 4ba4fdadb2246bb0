import { isTerminal, type Redis, type Stores } from '@agentq/shared';

/** Per-session keys with no expiry whose session record is gone: data no one will ever read or remove. */
export async function ghostKeys(redis: Redis, prefix: string): Promise<string[]> {
  const ghosts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:s:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const sessionKey = key.slice(0, key.indexOf('}') + 1);
      if ((await redis.hexists(sessionKey, 'sessionId')) === 0 && (await redis.pttl(key)) === -1) ghosts.push(key);
    }
  } while (cursor !== '0');
  return ghosts;
}

export interface DrillCounts {
  lost: number;
  stranded: number;
  ghostKeys: number;
}

/** The fault drill's three counts for a batch of sessions, printed in one line under the scenario's name. */
export async function drillCounts(scenario: string, stores: Stores, prefix: string, ids: string[]): Promise<DrillCounts> {
  const sessions = await stores.sessions.getMany(ids);
  const counts = {
    lost: sessions.filter((s) => s === undefined).length,
    stranded: sessions.filter((s) => s !== undefined && !isTerminal(s.status)).length,
    ghostKeys: (await ghostKeys(stores.redis, prefix)).length,
  };
  console.log(`[drill] ${scenario}: sessions lost ${counts.lost}, stranded ${counts.stranded}, ghost keys ${counts.ghostKeys}`);
  return counts;
}
