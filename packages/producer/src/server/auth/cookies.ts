import type { Request, Response } from 'express';

/** Cookies of a request (a tiny parser: express 5 has none built in). */
export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed cookie is ignored, not an error
    }
  }
  return out;
}

export interface CookieOptions {
  httpOnly: boolean;
  maxAgeMs?: number;
}

/** Sets a SameSite=Strict cookie on path `/`, `Secure` when the request came over TLS. */
export function setCookie(req: Request, res: Response, name: string, value: string, options: CookieOptions): void {
  res.cookie(name, value, {
    httpOnly: options.httpOnly,
    sameSite: 'strict',
    secure: req.secure,
    path: '/',
    ...(options.maxAgeMs === undefined ? {} : { maxAge: options.maxAgeMs }),
  });
}

export function clearCookie(req: Request, res: Response, name: string, httpOnly: boolean): void {
  res.clearCookie(name, { httpOnly, sameSite: 'strict', secure: req.secure, path: '/' });
}
