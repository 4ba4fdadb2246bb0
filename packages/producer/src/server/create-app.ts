import type { Logger } from '@agentq/shared';
import type { Queue } from 'bullmq';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { AgentProducer } from '../agent-producer.js';
import { approvalsApi } from './api/approvals-api.js';
import { queueApi } from './api/queue-api.js';
import { sessionsApi } from './api/sessions-api.js';
import { metricsRoute, statsApi } from './api/stats-api.js';
import { streamApi } from './api/stream-api.js';
import { authenticate } from './auth/authenticate.js';
import { csrfGuard } from './auth/csrf.js';
import type { ResolvedAuth } from './auth/dashboard-auth.js';
import { loginRoutes, sendLoginPage } from './auth/login-routes.js';
import { LoginThrottle, type LoginThrottleOptions } from './auth/login-throttle.js';
import { SessionRevocations } from './auth/session-revocations.js';
import { BULL_BOARD_PATH, bullBoardRouter } from './bull-board.js';
import type { DashboardContext } from './dashboard-context.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { PAGE_CSP, pageRoutes } from './pages/page-routes.js';
import { DASHBOARD_CSS } from './pages/styles.js';

export interface DashboardAppOptions {
  producer: AgentProducer;
  auth: ResolvedAuth;
  queues: readonly Queue[];
  readOnlyQueues: boolean;
  trustedOrigins: readonly string[];
  metrics: Registry;
  logger: Logger | undefined;
  /** Insecure mode on a loopback address answers only to loopback Host names. */
  loopbackOnly: boolean;
  loginThrottle?: LoginThrottleOptions;
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' });
  next();
}

/**
 * The dashboard's express app, in the order a request meets it: security headers, the public stylesheet and
 * login, a session's event stream (its own token check), authentication (401 for everything else), body parsing, the CSRF guard, then Bull Board, `/metrics`,
 * the JSON API and the pages.
 */
export function createDashboardApp(options: DashboardAppOptions): Express {
  const { auth } = options;
  const ctx: DashboardContext = { producer: options.producer, auth, logger: options.logger };
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);

  app.get('/assets/dashboard.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=300').send(DASHBOARD_CSS);
  });
  const { stores } = options.producer;
  const revocations = new SessionRevocations(stores.redis, stores.keys);
  const throttle = new LoginThrottle(stores.redis, stores.keys, options.loginThrottle);
  const { login, logout } = loginRoutes(auth, options.trustedOrigins, { throttle, revocations });
  app.use('/login', express.urlencoded({ extended: false, limit: '8kb' }), (_req, res, next) => {
    res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' });
    next();
  });
  app.use(login);
  // A session's event stream also takes a stream token of that session in place of the dashboard credentials.
  app.use(streamApi(ctx, { loopbackOnly: options.loopbackOnly, revocations }));

  const unauthorized = (req: Request, res: Response) => {
    const api = req.path.startsWith('/api/') || req.path === '/metrics' || req.path.startsWith(`${BULL_BOARD_PATH}/api/`);
    if (!api && req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
      // No Basic challenge here: it would make the browser show its own dialog instead of the login form.
      res.set({ 'WWW-Authenticate': 'Bearer realm="agentq"', 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' });
      sendLoginPage(auth, req, res);
      return;
    }
    res.set('WWW-Authenticate', auth.basic ? 'Bearer realm="agentq", Basic realm="agentq"' : 'Bearer realm="agentq"');
    res
      .status(401)
      .json({ error: { code: 'unauthorized', message: 'send Authorization: Bearer <AGENTQ_DASHBOARD_TOKEN>, basic credentials, or log in at /login' } });
  };
  app.use(authenticate(auth, unauthorized, { loopbackOnly: options.loopbackOnly, revocations }));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: '100kb' }), express.json({ limit: '1mb' }));
  app.use(csrfGuard(auth, options.trustedOrigins));
  app.use(logout);

  app.use(BULL_BOARD_PATH, bullBoardRouter(options.queues, { readOnly: options.readOnlyQueues }));
  app.use(metricsRoute(options.metrics));
  app.use(sessionsApi(ctx), approvalsApi(ctx), statsApi(ctx), queueApi(ctx));
  app.use(pageRoutes(ctx));
  app.use(notFound);
  app.use(errorHandler(options.logger));
  return app;
}
