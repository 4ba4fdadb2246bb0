import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineTool, type Risk } from '@agentq/shared';
import { z } from 'zod';
import { outboxFileName } from './outbox-file-name.js';

/** Options of {@link createSendEmailTool}. */
export interface SendEmailToolOptions {
  /** Folder "sent" emails are written to, one JSON file per idempotency key. Created if missing. */
  outboxDir: string;
  /** Recipients in this domain (or its subdomains) keep the tool's `medium` risk; others raise it to `high`. @defaultValue 'example.com' */
  internalDomain?: string;
  /** Sender address written into each email. @defaultValue 'agent@example.com' */
  from?: string;
}

/** What one outbox file holds. */
export interface OutboxEmail {
  messageId: string;
  idempotencyKey: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  sessionId: string;
  sentAt: string;
}

const SendEmailInput = z.object({
  to: z.email().describe('Recipient address'),
  subject: z.string().min(1).max(200),
  body: z.string().min(1).max(20_000),
});

/** `send_email`: "sends" by writing to an outbox folder, at most once per idempotency key. */
export function createSendEmailTool(options: SendEmailToolOptions) {
  const internalDomain = (options.internalDomain ?? 'example.com').toLowerCase();
  const from = options.from ?? 'agent@example.com';
  return defineTool({
    name: 'send_email',
    description: `Send an email. Recipients outside ${internalDomain} need extra approval.`,
    input: SendEmailInput,
    risk: 'medium',
    // Safe to retry: a repeat with the same idempotency key finds the outbox file and sends nothing.
    idempotent: true,
    timeoutMs: 10_000,
    policy: ({ to }): Risk | undefined => (isInternal(to, internalDomain) ? undefined : 'high'),
    run: async ({ to, subject, body }, ctx) => {
      await mkdir(options.outboxDir, { recursive: true });
      const file = path.join(options.outboxDir, outboxFileName(ctx.idempotencyKey));
      const email: OutboxEmail = {
        messageId: `<${createHash('sha256').update(ctx.idempotencyKey).digest('hex').slice(0, 24)}@outbox.agentq.local>`,
        idempotencyKey: ctx.idempotencyKey,
        from,
        to,
        subject,
        body,
        sessionId: ctx.sessionId,
        sentAt: new Date().toISOString(),
      };
      const sent = await writeOnce(file, `${JSON.stringify(email, null, 2)}\n`);
      const stored = sent ? email : (JSON.parse(await readFile(file, 'utf8')) as OutboxEmail);
      return { status: 'sent', messageId: stored.messageId, to: stored.to, subject: stored.subject, duplicate: !sent };
    },
  });
}

function isInternal(address: string, domain: string): boolean {
  const host = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * Writes `file` only if it does not exist yet; false when it already did. The content goes to a temp file
 * first and is hard-linked into place, because link() fails on an existing name atomically and a crash
 * mid-write then leaves no half-written email behind.
 */
async function writeOnce(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { flag: 'wx' });
  try {
    await link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
