/**
 * Redis refusing writes or not answering: out of memory (`OOM`), a replica or failover (`READONLY`,
 * `MASTERDOWN`), a restart loading its data (`LOADING`), a busy script (`BUSY`), a cluster resharding
 * (`TRYAGAIN`, `CLUSTERDOWN`), or the connection itself gone. These pass when the incident does, so a step that
 * meets one waits and runs again; it never ends its session.
 */
const REPLY_PREFIXES = /^(OOM|READONLY|LOADING|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);
const CONNECTION_MESSAGES = /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/;

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (REPLY_PREFIXES.test(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.test(error.message);
}
