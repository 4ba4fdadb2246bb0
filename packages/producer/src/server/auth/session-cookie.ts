import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from './constant-time.js';
import { type ResolvedAuth, sign } from './dashboard-auth.js';

/** HttpOnly cookie holding a signed login session; the credentials themselves never go into a cookie. */
export const SESSION_COOKIE = 'agentq_session';
/** Readable by scripts on purpose: Bull Board's axios copies it into an `X-XSRF-TOKEN` header. */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const MAX_NAME_LENGTH = 64;

const Payload = z.object({ sid: z.string().min(16).max(64), name: z.string().max(MAX_NAME_LENGTH), exp: z.number() });
export type SessionPayload = z.infer<typeof Payload>;

export function issueSession(auth: ResolvedAuth, name: string, now = Date.now()): { value: string; payload: SessionPayload } {
  const payload: SessionPayload = { sid: randomBytes(18).toString('base64url'), name: name.slice(0, MAX_NAME_LENGTH), exp: now + auth.sessionTtlMs };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { value: `${body}.${sign(auth, 'session', body)}`, payload };
}

/** The session a cookie carries, or undefined when it is forged, malformed or expired. */
export function verifySession(auth: ResolvedAuth, value: string | undefined, now = Date.now()): SessionPayload | undefined {
  if (!value || value.length > 1024) return undefined;
  const dot = value.indexOf('.');
  if (dot < 0) return undefined;
  const body = value.slice(0, dot);
  if (!safeEqual(value.slice(dot + 1), sign(auth, 'session', body))) return undefined;
  try {
    const parsed = Payload.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.exp <= now) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}
