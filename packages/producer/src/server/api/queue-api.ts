import { Router } from 'express';
import { queueControls } from '../../queue/queue-control.js';
import type { DashboardContext } from '../dashboard-context.js';

/** `GET /api/queue`, `POST /api/queue/pause`, `POST /api/queue/resume` (also lifts a rate-limit pause). */
export function queueApi(ctx: DashboardContext): Router {
  const router = Router();
  // Every shard's queue: one status for a single-queue fleet, an array (in shard order) for several.
  const controls = queueControls(ctx.producer.queues);
  const all = async (act: 'status' | 'pause' | 'resume') => {
    const statuses = await Promise.all(controls.map((c) => c[act]()));
    return statuses.length === 1 ? statuses[0] : statuses;
  };
  router.get('/api/queue', async (_req, res) => {
    res.json(await all('status'));
  });
  router.post('/api/queue/pause', async (_req, res) => {
    res.json(await all('pause'));
  });
  router.post('/api/queue/resume', async (_req, res) => {
    res.json(await all('resume'));
  });
  return router;
}
