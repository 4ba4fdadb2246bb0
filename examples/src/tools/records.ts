import { type Redis } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';

/** Hash holding one demo table: field = record id, value = record JSON. */
export function recordsKey(prefix: string, table: string): string {
  return new Keys(prefix).appData(`records:${table}`);
}

/** The records {@link seedRecords} writes, by table. */
export const SEED_RECORDS: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>> = {
  customers: {
    cus_1001: { name: 'Ada Lovelace', email: 'ada@example.com', plan: 'enterprise' },
    cus_1002: { name: 'Grace Hopper', email: 'grace@example.com', plan: 'team' },
    cus_1003: { name: 'Test Customer', email: 'test+stale@example.com', plan: 'trial', note: 'stale test account' },
    cus_1004: { name: 'Linus Example', email: 'linus@partner.example.net', plan: 'team' },
  },
  orders: {
    ord_5001: { customer: 'cus_1001', total: 1250, currency: 'EUR', status: 'paid' },
    ord_5002: { customer: 'cus_1002', total: 89.9, currency: 'USD', status: 'refunded' },
    ord_5003: { customer: 'cus_1003', total: 0, currency: 'USD', status: 'draft' },
  },
  api_keys: {
    key_old_01: { owner: 'cus_1003', created: '2023-01-04', revoked: true },
    key_live_07: { owner: 'cus_1001', created: '2025-03-18', revoked: false },
  },
};

/** Options of {@link seedRecords}. */
export interface SeedRecordsOptions {
  /**
   * Write the records even if this prefix was seeded before. Off by default so a worker restart in the
   * middle of a demo does not bring back records a session has deleted.
   * @defaultValue false
   */
  force?: boolean;
}

/** Fills the demo tables `delete_record` works on. Returns the number of records written (0 if skipped). */
export async function seedRecords(redis: Redis, prefix: string, options: SeedRecordsOptions = {}): Promise<number> {
  const marker = new Keys(prefix).appData('records:seeded');
  if (!options.force) {
    const first = await redis.set(marker, new Date().toISOString(), 'NX');
    if (first === null) return 0;
  }
  // One HSET per table, sent together: the tables are keys in different cluster slots, so no MULTI (the
  // marker above already makes a second seeding a no-op).
  let written = 0;
  const writes: Array<Promise<unknown>> = [];
  for (const [table, rows] of Object.entries(SEED_RECORDS)) {
    const fields = Object.fromEntries(Object.entries(rows).map(([id, row]) => [id, JSON.stringify(row)]));
    if (Object.keys(fields).length === 0) continue;
    written += Object.keys(fields).length;
    writes.push(redis.hset(recordsKey(prefix, table), fields));
  }
  if (options.force) writes.push(redis.set(marker, new Date().toISOString()));
  await Promise.all(writes);
  return written;
}
