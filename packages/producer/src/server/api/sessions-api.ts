import { AgentqError, MAX_MESSAGE_CHARS } from '@agentq/shared';
import { Router } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import { parseInput } from '../http/validate.js';
import { buildTimeline } from '../../replay/index.js';
import type { DashboardContext } from '../dashboard-context.js';
import { sendAction } from '../http/respond.js';
import { listOptions, parseSessionFilters } from './session-filters.js';
import { summarize } from '../../session-summary.js';

/** Body of a message: the text, and who sends it (defaults to the caller). */
const MessageBody = z.object({
  text: z.string({ error: 'text is required' }).min(1).max(MAX_MESSAGE_CHARS),
  by: z.string().trim().min(1).max(200).optional(),
});

/**
 * `GET /api/sessions`, `GET /api/sessions/:id` (record, pending approvals, open questions, timeline),
 * `POST /api/sessions/:id/cancel`, `POST /api/sessions/:id/messages {text, by?}` (answer or new turn).
 */
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
    const [events, approvals, questions] = await Promise.all([
      ctx.producer.events(session.sessionId),
      ctx.producer.approvals.list({ sessionId: session.sessionId }),
      ctx.producer.stores.questions.list(session.sessionId),
    ]);
    res.json({ session, approvals, questions: questions.filter((q) => q.answer === undefined), timeline: buildTimeline(session, events) });
  });
  router.post('/api/sessions/:id/cancel', async (req, res) => {
    const status = await ctx.producer.cancel(req.params.id);
    sendAction(req, res, { sessionId: req.params.id, status }, status === 'cancel_requested' ? 'cancel_requested' : 'cancelled');
  });
  router.post('/api/sessions/:id/messages', async (req, res) => {
    const body = parseInput(MessageBody, req.body, 'body');
    res.json(await ctx.producer.send(req.params.id, body.text, { by: body.by ?? principalOf(res).name }));
  });
  return router;
}
