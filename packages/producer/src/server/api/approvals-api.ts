import { Router } from 'express';
import { z } from 'zod';
import { principalOf } from '../auth/principal.js';
import type { DashboardContext } from '../dashboard-context.js';
import { sendAction } from '../http/respond.js';
import { parseInput } from '../http/validate.js';

const blank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Body of approve. `by` defaults to the caller (basic-auth user, login name, or `api` for the bearer token). */
const ApproveBody = z.object({
  by: z.preprocess(blank, z.string().trim().max(200).optional()),
  reason: z.preprocess(blank, z.string().trim().max(1000).optional()),
  /** Run the call with this input instead (checked against the tool's schema). */
  input: z.record(z.string(), z.unknown()).optional(),
});
/** Body of deny: the reason is required; the model is shown it. */
const DenyBody = z.object({
  by: z.preprocess(blank, z.string().trim().max(200).optional()),
  reason: z.preprocess(blank, z.string({ error: 'a reason is required to deny' }).trim().min(1).max(1000)),
});

const ListQuery = z.object({
  sessionId: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `GET /api/approvals`, `POST /api/approvals/:id/approve {by?, reason?, input?}`, `POST /api/approvals/:id/deny {by?, reason}`. */
export function approvalsApi(ctx: DashboardContext): Router {
  const router = Router();
  router.get('/api/approvals', async (req, res) => {
    const query = parseInput(ListQuery, req.query, 'query');
    const approvals = await ctx.producer.approvals.list({ limit: query.limit, ...(query.sessionId ? { sessionId: query.sessionId } : {}) });
    res.json({ approvals });
  });
  router.post('/api/approvals/:id/approve', async (req, res) => {
    const body = parseInput(ApproveBody, req.body, 'body');
    const decision = await ctx.producer.approvals.approve(req.params.id, {
      by: body.by ?? principalOf(res).name,
      ...(body.reason ? { reason: body.reason } : {}),
      ...(body.input ? { input: body.input } : {}),
    });
    sendAction(req, res, decision, decision.remaining > 0 ? 'approved_pending' : 'approved');
  });
  router.post('/api/approvals/:id/deny', async (req, res) => {
    const body = parseInput(DenyBody, req.body, 'body');
    const decision = await ctx.producer.approvals.deny(req.params.id, { by: body.by ?? principalOf(res).name, reason: body.reason });
    sendAction(req, res, decision, decision.remaining > 0 ? 'denied_pending' : 'denied');
  });
  return router;
}
