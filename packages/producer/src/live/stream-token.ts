import { createHash, randomBytes } from 'node:crypto';
import { AgentqError, type Stores } from '@agentq/shared';

export interface StreamTokenOptions {
  /** How long the token can open a stream, in ms (an open stream is not cut when it expires). @defaultValue 900000 (15 min) */
  ttlMs?: number;
}

export interface StreamToken {
  /** Opaque; only its sha256 is stored. */
  token: string;
  sessionId: string;
  /** ms since epoch. */
  expiresAt: number;
}

const MAX_TTL_MS = 24 * 3600 * 1000;

/**
 * A read-only token for one session's event stream, which a backend can hand to a browser in place of the
 * dashboard's credentials. Stored in Redis as its hash, so any dashboard replica on the same Redis accepts
 * it and it expires on its own.
 */
export async function createStreamToken(stores: Stores, sessionId: string, options: StreamTokenOptions = {}): Promise<StreamToken> {
  const ttlMs = options.ttlMs ?? 900_000;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS)
    throw new AgentqError('invalid_payload', `streamToken: ttlMs must be an integer in 1..${MAX_TTL_MS}`);
  if (!(await stores.sessions.get(sessionId))) throw new AgentqError('session_not_found', `no session ${sessionId}`);
  const token = `aqst_${randomBytes(24).toString('base64url')}`;
  await stores.redis.set(stores.keys.streamToken(hashToken(token)), sessionId, 'PX', ttlMs);
  return { token, sessionId, expiresAt: Date.now() + ttlMs };
}

/** The session a stream token may read, or undefined when it is unknown or expired. */
export async function streamTokenSession(stores: Stores, token: string): Promise<string | undefined> {
  if (!token.startsWith('aqst_') || token.length > 100) return undefined;
  return (await stores.redis.get(stores.keys.streamToken(hashToken(token)))) ?? undefined;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
