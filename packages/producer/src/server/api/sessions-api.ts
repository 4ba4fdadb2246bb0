import { AgentqError } from '@agentq/shared';
import { Router } from 'express';
import { buildTimeline } from '../../replay/index.js';
import type { DashboardContext } from '../dashboard-context.js';
import { sendAction } from '../http/respond.js';
import { listOptions, parseSessionFilters } from './session-filters.js';
import { summarize } from '../../session-summary.js';

/** `GET /api/sessions`, `GET /api/sessions/:id` (record, pending approvals, timeline), `POST /api/sessions/:id/cancel`. */
export function sessionsApi(ctx: DashboardContext): Router {
  const router = Router();
  router.get('/api/sessions', async (req, res) => {
    const filters = parseSessionFilters(req.query);
    const sessions = await ctx.producer.list(listOptions(filters));
    res.json({ sessions: sessions.map(summarize) });
  });
  router.get('/api/sessions/:id', async (req, res) => {
    const session = await ctx.producer.get(req.params.id);
    if (!session) throw new AgentqError('session_not_found', `no session ${req.params.id}`);
    const [events, approvals] = await Promise.all([ctx.producer.events(session.sessionId), ctx.producer.approvals.list({ sessionId: session.sessionId })]);
    res.json({ session, approvals, timeline: buildTimeline(session, events) });
  });
  router.post('/api/sessions/:id/cancel', async (req, res) => {
    const status = await ctx.producer.cancel(req.params.id);
    sendAction(req, res, { sessionId: req.params.id, status }, status === 'cancel_requested' ? 'cancel_requested' : 'cancelled');
  });
  return router;
}
