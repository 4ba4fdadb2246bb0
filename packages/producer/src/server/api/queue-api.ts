import { Router } from 'express';
import { QueueControl } from '../../queue/queue-control.js';
import type { DashboardContext } from '../dashboard-context.js';

/** `GET /api/queue`, `POST /api/queue/pause`, `POST /api/queue/resume` (also lifts a rate-limit pause). */
export function queueApi(ctx: DashboardContext): Router {
  const router = Router();
  const control = new QueueControl(ctx.producer.queue);
  router.get('/api/queue', async (_req, res) => {
    res.json(await control.status());
  });
  router.post('/api/queue/pause', async (_req, res) => {
    res.json(await control.pause());
  });
  router.post('/api/queue/resume', async (_req, res) => {
    res.json(await control.resume());
  });
  return router;
}
