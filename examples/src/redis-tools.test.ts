import { describe, expect, test } from '../../test/support/fixtures.js';
// Brings in the global setup's `ProvidedContext` augmentation that types the fixture's inject('redisUrl').
import { createTestToolContext } from './testing/tool-context.js';
import { createDeleteRecordTool } from './tools/delete-record.js';
import { createProcessPaymentTool, ledgerGuardKey, readLedger } from './tools/process-payment.js';
import { recordsKey, SEED_RECORDS, seedRecords } from './tools/records.js';

const seededCount = Object.values(SEED_RECORDS).reduce((n, rows) => n + Object.keys(rows).length, 0);

describe('delete_record', () => {
  test('is high risk and not declared idempotent', ({ redis, prefix }) => {
    const tool = createDeleteRecordTool({ redis, prefix });
    expect(tool.risk).toBe('high');
    expect(tool.idempotent).toBe(false);
  });

  test('deletes a seeded record and reports whether it existed', async ({ redis, prefix }) => {
    expect(await seedRecords(redis, prefix)).toBe(seededCount);
    expect(recordsKey(prefix, 'customers')).toBe(`${prefix}:app:records:customers`);
    expect(await redis.hexists(`${prefix}:app:records:customers`, 'cus_1003')).toBe(1);

    const tool = createDeleteRecordTool({ redis, prefix });
    const ctx = createTestToolContext();
    expect(await tool.run({ table: 'customers', id: 'cus_1003' }, ctx)).toEqual({
      table: 'customers',
      id: 'cus_1003',
      existed: true,
      deleted: true,
    });
    expect(await redis.hexists(`${prefix}:app:records:customers`, 'cus_1003')).toBe(0);
    expect(await redis.hlen(`${prefix}:app:records:customers`)).toBe(Object.keys(SEED_RECORDS.customers ?? {}).length - 1);
    expect(await tool.run({ table: 'customers', id: 'cus_1003' }, ctx)).toMatchObject({ existed: false, deleted: false });
    expect(await tool.run({ table: 'no_such_table', id: 'x' }, ctx)).toMatchObject({ existed: false });
  });

  test('seedRecords seeds a prefix once, so restarts do not bring deleted records back', async ({ redis, prefix }) => {
    await seedRecords(redis, prefix);
    await redis.hdel(recordsKey(prefix, 'orders'), 'ord_5001');
    expect(await seedRecords(redis, prefix)).toBe(0);
    expect(await redis.hexists(recordsKey(prefix, 'orders'), 'ord_5001')).toBe(0);
    expect(await seedRecords(redis, prefix, { force: true })).toBe(seededCount);
    expect(JSON.parse((await redis.hget(recordsKey(prefix, 'orders'), 'ord_5001')) ?? 'null')).toMatchObject({ customer: 'cus_1001' });
  });

  test('table names cannot reach other keys', ({ redis, prefix }) => {
    const tool = createDeleteRecordTool({ redis, prefix });
    expect(tool.input.safeParse({ table: 'ledger:idem', id: 'x' }).success).toBe(false);
    expect(tool.input.safeParse({ table: 'Customers', id: 'x' }).success).toBe(false);
    expect(tool.input.safeParse({ table: 'customers', id: '' }).success).toBe(false);
  });
});

describe('process_payment', () => {
  const payment = { amount: 1250, currency: 'EUR', recipient: 'Acme Hosting GmbH', memo: 'Invoice 2025-03' };

  test('is high risk, not idempotent, and marks recipient sensitive', ({ redis, prefix }) => {
    const tool = createProcessPaymentTool({ redis, prefix });
    expect(tool.risk).toBe('high');
    expect(tool.idempotent).toBe(false);
    expect(tool.sensitive).toContain('recipient');
  });

  test('settles once per idempotency key and returns the same receipt on a retry', async ({ redis, prefix }) => {
    const tool = createProcessPaymentTool({ redis, prefix });
    const ctx = createTestToolContext();
    const first = await tool.run(payment, ctx);
    const retry = await tool.run(payment, { ...ctx, attempt: 2 });

    expect(first).toEqual({ paymentId: expect.stringMatching(/^pay_[0-9a-f]{16}$/), amount: 1250, currency: 'EUR', status: 'settled' });
    expect(retry).toEqual(first);
    const ledger = await readLedger(redis, prefix);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ ...payment, idempotencyKey: ctx.idempotencyKey, sessionId: ctx.sessionId });
    expect(await redis.exists(ledgerGuardKey(prefix, ctx.idempotencyKey))).toBe(1);
    expect(ledgerGuardKey(prefix, 'k')).toBe(`${prefix}:app:{ledger}:idem:k`);
  });

  test('a retry with different input still reports the payment that was made', async ({ redis, prefix }) => {
    const tool = createProcessPaymentTool({ redis, prefix });
    const ctx = createTestToolContext();
    await tool.run(payment, ctx);
    expect(await tool.run({ ...payment, amount: 9999 }, ctx)).toMatchObject({ amount: 1250 });
    expect(await readLedger(redis, prefix)).toHaveLength(1);
  });

  test('concurrent attempts with one key append one entry', async ({ redis, prefix }) => {
    const tool = createProcessPaymentTool({ redis, prefix });
    const ctx = createTestToolContext();
    const receipts = await Promise.all(Array.from({ length: 10 }, () => tool.run(payment, ctx)));
    expect(new Set(receipts.map((r) => (r as { paymentId: string }).paymentId)).size).toBe(1);
    expect(await readLedger(redis, prefix)).toHaveLength(1);
  });

  test('different keys are different payments, in order', async ({ redis, prefix }) => {
    const tool = createProcessPaymentTool({ redis, prefix });
    await tool.run(payment, createTestToolContext());
    await tool.run({ amount: 89.9, currency: 'USD', recipient: 'Grace Hopper' }, createTestToolContext());
    const ledger = await readLedger(redis, prefix);
    expect(ledger.map((e) => e.amount)).toEqual([1250, 89.9]);
    expect(ledger[1]).not.toHaveProperty('memo');
    expect(ledger[0]?.paymentId).not.toBe(ledger[1]?.paymentId);
  });

  test('the schema bounds amount and currency', ({ redis, prefix }) => {
    const { input } = createProcessPaymentTool({ redis, prefix });
    expect(input.safeParse({ ...payment, amount: 100_000 }).success).toBe(true);
    expect(input.safeParse({ ...payment, amount: 100_000.01 }).success).toBe(false);
    expect(input.safeParse({ ...payment, amount: 0 }).success).toBe(false);
    expect(input.safeParse({ ...payment, amount: -5 }).success).toBe(false);
    expect(input.safeParse({ ...payment, currency: 'eur' }).success).toBe(false);
    expect(input.safeParse({ ...payment, currency: 'EURO' }).success).toBe(false);
    expect(input.safeParse({ ...payment, recipient: '' }).success).toBe(false);
  });

  test('readLedger of an empty prefix is empty', async ({ redis, prefix }) => {
    expect(await readLedger(redis, prefix)).toEqual([]);
  });
});
