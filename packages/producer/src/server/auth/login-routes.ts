import { type Request, type Response, Router } from 'express';
import { loginPage } from '../pages/login-page.js';
import { safeEqual } from './constant-time.js';
import { clearCookie, setCookie } from './cookies.js';
import { CSRF_COOKIE, issueSession, SESSION_COOKIE } from './session-cookie.js';
import { isSameOrigin, requestOrigin } from './csrf.js';
import type { ResolvedAuth } from './dashboard-auth.js';
import type { LoginThrottle } from './login-throttle.js';
import { principalOf } from './principal.js';
import type { SessionRevocations } from './session-revocations.js';

/** Only local paths: an open redirect to another site after login would be a phishing aid. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/sessions';
}

/** The 401 a browser sees: the login form, so the user can get in from any page. */
export function sendLoginPage(auth: ResolvedAuth, req: Request, res: Response, status = 401, error?: string): void {
  res
    .status(status)
    .type('html')
    .send(
      loginPage(auth, {
        next: safeNext(req.method === 'GET' ? req.originalUrl : (req.body as Record<string, unknown> | undefined)?.next),
        ...(error ? { error } : {}),
      }).value,
    );
}

/**
 * `GET /login`, `POST /login` (sets the HttpOnly session cookie; wrong logins are throttled per client address)
 * and `POST /logout` (revokes the session on the server). Logout is behind auth and CSRF.
 */
export function loginRoutes(
  auth: ResolvedAuth,
  trustedOrigins: readonly string[],
  guards: { throttle: LoginThrottle; revocations: SessionRevocations },
): { login: Router; logout: Router } {
  const login = Router();
  login.get('/login', (req, res) => {
    res
      .status(200)
      .type('html')
      .send(loginPage(auth, { next: safeNext(req.query.next) }).value);
  });
  login.post('/login', async (req, res) => {
    // Login CSRF (signing a victim into the attacker's session) is refused by the origin check.
    const origin = requestOrigin(req);
    if (origin !== undefined && !isSameOrigin(req, origin, trustedOrigins)) {
      res.status(403).json({ error: { code: 'forbidden', message: `cross-origin login refused (origin ${origin})` } });
      return;
    }
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const blockedMs = await guards.throttle.blockedForMs(client);
    if (blockedMs > 0) {
      res.set('Retry-After', String(Math.ceil(blockedMs / 1000)));
      sendLoginPage(auth, req, res, 429, 'Too many wrong logins from this address; try again later.');
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    let name: string | undefined;
    if (auth.token && str('token') && safeEqual(str('token'), auth.token)) name = str('name').trim() || 'dashboard';
    else if (auth.basic && str('user')) {
      const userOk = safeEqual(str('user'), auth.basic.user);
      const passwordOk = safeEqual(str('password'), auth.basic.password);
      if (userOk && passwordOk) name = auth.basic.user;
    }
    if (!name) {
      await guards.throttle.recordFailure(client);
      sendLoginPage(auth, req, res, 401, 'Those credentials are not valid.');
      return;
    }
    await guards.throttle.reset(client);
    const session = issueSession(auth, name);
    setCookie(req, res, SESSION_COOKIE, session.value, { httpOnly: true, maxAgeMs: auth.sessionTtlMs });
    res.redirect(303, safeNext(body.next));
  });
  const logout = Router();
  logout.post('/logout', async (req, res) => {
    const principal = principalOf(res);
    if (principal.kind === 'cookie') await guards.revocations.revoke(principal.csrfSubject, auth.sessionTtlMs);
    clearCookie(req, res, SESSION_COOKIE, true);
    clearCookie(req, res, CSRF_COOKIE, false);
    res.redirect(303, '/login');
  });
  return { login, logout };
}
