import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { DashboardContext } from '../dashboard-context.js';
import { parseStatsQuery } from './stats-window.js';

/** `GET /api/stats?since=&agent=`: per-tool and per-agent stats from the global event stream. */
export function statsApi(ctx: DashboardContext): Router {
  const router = Router();
  router.get('/api/stats', async (req, res) => {
    const window = parseStatsQuery(req.query);
    res.json(await ctx.producer.stats({ since: window.since, ...(window.agent ? { agent: window.agent } : {}) }));
  });
  return router;
}

/** `GET /metrics`: the producer registry in the Prometheus text format. */
export function metricsRoute(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  });
  return router;
}
