import type { NextFunction, Request, Response } from 'express';
import { safeEqual } from './constant-time.js';
import { CSRF_COOKIE, SESSION_COOKIE, verifySession } from './session-cookie.js';
import { readCookies, setCookie } from './cookies.js';
import { csrfTokenFor } from './csrf.js';
import type { ResolvedAuth } from './dashboard-auth.js';
import type { Principal } from './principal.js';
import type { SessionRevocations } from './session-revocations.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Who the credentials of a request belong to, or undefined. A wrong Authorization header never falls back to the cookie. */
export function identify(auth: ResolvedAuth, req: Request): Principal | undefined {
  if (auth.insecure) return { kind: 'anonymous', name: 'anonymous', csrfSubject: 'anonymous' };
  const header = req.get('authorization');
  if (header) {
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'bearer' && auth.token !== undefined && safeEqual(value, auth.token)) {
      return { kind: 'bearer', name: 'api', csrfSubject: 'bearer' };
    }
    if (scheme === 'basic' && auth.basic !== undefined) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? '' : decoded.slice(colon + 1);
      // both compared every time, so timing does not say which one was wrong
      const userOk = safeEqual(user, auth.basic.user);
      const passwordOk = safeEqual(password, auth.basic.password);
      if (userOk && passwordOk) return { kind: 'basic', name: auth.basic.user, csrfSubject: `basic:${auth.basic.user}` };
    }
    return undefined;
  }
  const session = verifySession(auth, readCookies(req)[SESSION_COOKIE]);
  return session ? { kind: 'cookie', name: session.name || 'dashboard', csrfSubject: session.sid } : undefined;
}

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host === '::1' || host.startsWith('127.');
}

/**
 * Puts the caller's {@link Principal} in `res.locals.principal`, or answers 401 through `unauthorized`.
 * For ambient credentials it keeps the script-readable CSRF cookie current, which Bull Board's UI echoes.
 */
export function authenticate(
  auth: ResolvedAuth,
  unauthorized: (req: Request, res: Response) => void,
  options: { loopbackOnly: boolean; revocations: SessionRevocations },
) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    // Insecure mode on loopback: refuse other Host names so a DNS-rebinding page cannot drive the dashboard.
    if (auth.insecure && options.loopbackOnly && !LOOPBACK_HOSTS.has(hostName(req.get('host')))) {
      res.status(403).json({ error: { code: 'forbidden', message: 'insecure mode answers only to localhost, 127.0.0.1 and [::1]' } });
      return;
    }
    const principal = identify(auth, req);
    // A cookie logged out elsewhere is refused even though its signature and expiry still hold.
    if (!principal || (principal.kind === 'cookie' && (await options.revocations.isRevoked(principal.csrfSubject)))) return unauthorized(req, res);
    res.locals.principal = principal;
    if (principal.kind !== 'bearer' && req.method === 'GET') {
      const token = csrfTokenFor(auth, principal);
      if (readCookies(req)[CSRF_COOKIE] !== token) setCookie(req, res, CSRF_COOKIE, token, { httpOnly: false });
    }
    next();
  };
}

function hostName(host: string | undefined): string {
  if (!host) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
