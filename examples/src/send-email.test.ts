import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createTestToolContext } from './testing/tool-context.js';
import { createSendEmailTool, type OutboxEmail } from './tools/send-email.js';

let outboxDir: string;

beforeEach(async () => {
  // A folder that does not exist yet: the tool creates it.
  outboxDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'agentq-outbox-')), 'outbox');
});

afterEach(async () => {
  await rm(path.dirname(outboxDir), { recursive: true, force: true });
});

const email = { to: 'ops@example.com', subject: 'Status', body: 'All good.' };

describe('send_email', () => {
  test('is medium risk, retry-safe, and recipients outside example.com raise it to high', () => {
    const tool = createSendEmailTool({ outboxDir });
    expect(tool.risk).toBe('medium');
    expect(tool.idempotent).toBe(true);
    expect(tool.policy?.({ ...email, to: 'ops@example.com' })).toBeUndefined();
    expect(tool.policy?.({ ...email, to: 'OPS@Example.COM' })).toBeUndefined();
    expect(tool.policy?.({ ...email, to: 'eu@mail.example.com' })).toBeUndefined();
    expect(tool.policy?.({ ...email, to: 'someone@gmail.com' })).toBe('high');
    expect(tool.policy?.({ ...email, to: 'x@partner.example.net' })).toBe('high');
    expect(tool.policy?.({ ...email, to: 'x@notexample.com' })).toBe('high');
  });

  test('the internal domain is configurable', () => {
    const tool = createSendEmailTool({ outboxDir, internalDomain: 'acme.io' });
    expect(tool.policy?.({ ...email, to: 'a@acme.io' })).toBeUndefined();
    expect(tool.policy?.({ ...email, to: 'a@example.com' })).toBe('high');
  });

  test('writes one outbox file per idempotency key, however often it runs', async () => {
    const tool = createSendEmailTool({ outboxDir });
    const ctx = createTestToolContext({ sessionId: 'sess-1', step: 3, toolUseId: 'toolu_abc' });
    const first = await tool.run(email, ctx);
    const retry = await tool.run({ ...email, body: 'changed on retry' }, { ...ctx, attempt: 2 });

    expect(first).toMatchObject({ status: 'sent', to: 'ops@example.com', duplicate: false });
    expect(retry).toMatchObject({ status: 'sent', duplicate: true });
    expect((retry as { messageId: string }).messageId).toBe((first as { messageId: string }).messageId);

    const files = await readdir(outboxDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^sess-1_3_toolu_abc-[0-9a-f]{12}\.json$/);
    const stored = JSON.parse(await readFile(path.join(outboxDir, files[0] as string), 'utf8')) as OutboxEmail;
    expect(stored).toMatchObject({ ...email, idempotencyKey: 'sess-1:3:toolu_abc', sessionId: 'sess-1', from: 'agent@example.com' });
  });

  test('concurrent attempts with one key still send once', async () => {
    const tool = createSendEmailTool({ outboxDir });
    const ctx = createTestToolContext();
    const results = await Promise.all(Array.from({ length: 8 }, () => tool.run(email, ctx)));
    expect(results.filter((r) => (r as { duplicate: boolean }).duplicate === false)).toHaveLength(1);
    expect(await readdir(outboxDir)).toHaveLength(1);
  });

  test('different keys send separately, even when sanitising would make them equal', async () => {
    const tool = createSendEmailTool({ outboxDir });
    await tool.run(email, createTestToolContext({ sessionId: 'a', step: 1, toolUseId: 'b' }));
    await tool.run(email, { ...createTestToolContext(), idempotencyKey: 'a_1_b' });
    await tool.run(email, { ...createTestToolContext(), idempotencyKey: '../../etc/x' });
    const files = await readdir(outboxDir);
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9._-]+\.json$/);
  });

  test('the schema wants a real address', () => {
    const tool = createSendEmailTool({ outboxDir });
    expect(tool.input.safeParse({ ...email, to: 'not-an-email' }).success).toBe(false);
    expect(tool.input.safeParse({ ...email, subject: '' }).success).toBe(false);
  });
});
