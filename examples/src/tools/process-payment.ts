import { createHash } from 'node:crypto';
import { defineTool, type Redis } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { z } from 'zod';

/** Options of {@link createProcessPaymentTool}. */
export interface ProcessPaymentToolOptions {
  redis: Redis;
  /** Key prefix; the ledger is the list `<prefix>:app:{ledger}`. */
  prefix: string;
}

/** One ledger line, as {@link readLedger} returns it. */
export interface LedgerEntry {
  paymentId: string;
  amount: number;
  currency: string;
  recipient: string;
  memo?: string;
  idempotencyKey: string;
  sessionId: string;
  settledAt: string;
}

/** What `process_payment` returns to the model. A type alias, not an interface, so it fits `ToolOutput`. */
export type PaymentReceipt = {
  paymentId: string;
  amount: number;
  currency: string;
  status: 'settled';
};

const ProcessPaymentInput = z.object({
  amount: z.number().positive().max(100_000).describe('Amount in major units, e.g. 12.50'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'currency must be a 3-letter ISO code in capitals, e.g. "EUR"')
    .describe('ISO 4217 code, e.g. "USD"'),
  recipient: z.string().min(1).max(200).describe('Payee name or account'),
  memo: z.string().max(500).optional(),
});

/**
 * Appends the entry only if the guard key is new. MULTI cannot make RPUSH depend on SET NX, and WATCH
 * would hold state on a connection the worker shares between concurrent jobs, so the check-and-append is
 * one Lua script. Returns the entry that is in the ledger for this key: the new one or the earlier one.
 */
const APPEND_ONCE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
`;

// The ledger and its guards share the hash tag `{ledger}`: the append-once script touches both, and on a
// Redis Cluster a script may touch one slot only.
export function ledgerKey(prefix: string): string {
  return new Keys(prefix).appData('{ledger}');
}

export function ledgerGuardKey(prefix: string, idempotencyKey: string): string {
  return new Keys(prefix).appData(`{ledger}:idem:${idempotencyKey}`);
}

/** `process_payment`: settles a payment into a Redis ledger, exactly once per idempotency key. */
export function createProcessPaymentTool(options: ProcessPaymentToolOptions) {
  return defineTool({
    name: 'process_payment',
    description: 'Send a payment to a recipient. Money moves immediately and cannot be recalled.',
    input: ProcessPaymentInput,
    risk: 'high',
    sensitive: ['recipient'],
    timeoutMs: 10_000,
    run: async ({ amount, currency, recipient, memo }, ctx): Promise<PaymentReceipt> => {
      const entry: LedgerEntry = {
        // Derived from the key so a repeat reports the same payment id the first call did.
        paymentId: `pay_${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 16)}`,
        amount,
        currency,
        recipient,
        ...(memo === undefined ? {} : { memo }),
        idempotencyKey: ctx.idempotencyKey,
        sessionId: ctx.sessionId,
        settledAt: new Date().toISOString(),
      };
      const stored = (await options.redis.eval(
        APPEND_ONCE,
        2,
        ledgerGuardKey(options.prefix, ctx.idempotencyKey),
        ledgerKey(options.prefix),
        JSON.stringify(entry),
      )) as string;
      const settled = JSON.parse(stored) as LedgerEntry;
      return { paymentId: settled.paymentId, amount: settled.amount, currency: settled.currency, status: 'settled' };
    },
  });
}

/** Every entry of the ledger, oldest first. */
export async function readLedger(redis: Redis, prefix: string): Promise<LedgerEntry[]> {
  const raw = await redis.lrange(ledgerKey(prefix), 0, -1);
  return raw.map((line) => JSON.parse(line) as LedgerEntry);
}
