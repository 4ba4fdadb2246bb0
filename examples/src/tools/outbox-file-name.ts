import { createHash } from 'node:crypto';

/**
 * File name for one idempotency key. The key holds `:` and model-chosen ids, so it is reduced to safe
 * characters; a hash of the full key is appended because that reduction alone could map two keys to one name.
 */
export function outboxFileName(idempotencyKey: string): string {
  const safe = idempotencyKey.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12);
  return `${safe}-${hash}.json`;
}
