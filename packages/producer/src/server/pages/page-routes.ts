import { AgentqError } from '@agentq/shared';
import { Router } from 'express';
import { buildTimeline } from '../../replay/index.js';
import { listOptions, parseSessionFilters } from '../api/session-filters.js';
import { parseStatsQuery } from '../api/stats-window.js';
import { type DashboardContext, pageContext } from '../dashboard-context.js';
import { noticeFrom } from '../http/respond.js';
import { approvalsPage } from './approvals-page.js';
import { sessionPage } from './session-page.js';
import { sessionsPage } from './sessions-page.js';
import { statsPage } from './stats-page.js';

/** Pages get a strict CSP: no scripts at all, styles only from the stylesheet. */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The server-rendered pages: `/`, `/sessions`, `/sessions/:id`, `/approvals`, and `/stats`. */
export function pageRoutes(ctx: DashboardContext): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set('Content-Security-Policy', PAGE_CSP);
    next();
  });
  router.get('/', (_req, res) => res.redirect(302, '/sessions'));
  router.get('/sessions', async (req, res) => {
    const filters = parseSessionFilters(req.query);
    const [page, sessions] = await Promise.all([pageContext(ctx, res), ctx.producer.list(listOptions(filters))]);
    res.type('html').send(sessionsPage(page, sessions, filters, noticeFrom(req.query)).value);
  });
  router.get('/sessions/:id', async (req, res) => {
    const session = await ctx.producer.get(req.params.id);
    if (!session) throw new AgentqError('session_not_found', `no session ${req.params.id}`);
    const [page, events, approvals] = await Promise.all([
      pageContext(ctx, res),
      ctx.producer.events(session.sessionId),
      ctx.producer.approvals.list({ sessionId: session.sessionId }),
    ]);
    res.type('html').send(sessionPage(page, session, buildTimeline(session, events), approvals, noticeFrom(req.query)).value);
  });
  router.get('/approvals', async (req, res) => {
    const [page, approvals] = await Promise.all([pageContext(ctx, res), ctx.producer.approvals.list({ limit: 500 })]);
    res.type('html').send(approvalsPage(page, approvals, noticeFrom(req.query)).value);
  });
  router.get('/stats', async (req, res) => {
    const window = parseStatsQuery(req.query);
    const [page, stats] = await Promise.all([
      pageContext(ctx, res),
      ctx.producer.stats({ since: window.since, ...(window.agent ? { agent: window.agent } : {}) }),
    ]);
    res.type('html').send(statsPage(page, stats, window).value);
  });
  return router;
}
