import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../http/http-error.js';
import { safeEqual } from './constant-time.js';
import { type ResolvedAuth, sign } from './dashboard-auth.js';
import { principalOf, type Principal } from './principal.js';

/** Form field carrying the CSRF token in server-rendered forms. */
export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The synchronizer token of a principal: an HMAC of its session, so it cannot be guessed or reused by another login. */
export function csrfTokenFor(auth: ResolvedAuth, principal: Principal): string {
  return sign(auth, 'csrf', principal.csrfSubject);
}

/** The origin (`scheme://host[:port]`) a browser says the request came from, from `Origin` or else `Referer`. */
export function requestOrigin(req: Request): string | undefined {
  // an opaque origin arrives as the string "null" and is never same-origin
  const origin = req.get('origin');
  if (origin) return origin;
  const referer = req.get('referer');
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** Whether `origin` names this server as the browser reached it (host compared, so it works behind a TLS proxy). */
export function isSameOrigin(req: Request, origin: string, trustedOrigins: readonly string[]): boolean {
  if (trustedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/**
 * Refuses cross-site state changes. A request naming another origin is refused whatever its credentials.
 * Bearer requests need nothing more: browsers never attach that header by themselves. Ambient credentials
 * (the login cookie, basic auth a browser remembers, or none in insecure mode) need the page's CSRF token
 * too, unless no browser sent the request (no Origin, Referer or Sec-Fetch-Site header: curl, scripts; Node's
 * fetch sends Sec-Fetch-Mode, so that one is not a sign of a browser) and the credential is not the cookie.
 */
export function csrfGuard(auth: ResolvedAuth, trustedOrigins: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = requestOrigin(req);
    if (origin !== undefined && !isSameOrigin(req, origin, trustedOrigins)) {
      return next(new HttpError(403, 'forbidden', `cross-origin ${req.method} refused (origin ${origin})`));
    }
    const principal = principalOf(res);
    if (principal.kind === 'bearer') return next();
    const fromBrowser = origin !== undefined || req.get('sec-fetch-site') !== undefined;
    if (!fromBrowser && principal.kind !== 'cookie') return next();
    if (origin === undefined) return next(new HttpError(403, 'forbidden', `${req.method} from a browser needs an Origin or Referer header`));
    const body = req.body as Record<string, unknown> | undefined;
    const given = req.get('x-csrf-token') ?? req.get('x-xsrf-token') ?? (typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined);
    if (!given || !safeEqual(given, csrfTokenFor(auth, principal))) {
      return next(new HttpError(403, 'csrf_failed', 'missing or invalid CSRF token; reload the page and try again'));
    }
    next();
  };
}
