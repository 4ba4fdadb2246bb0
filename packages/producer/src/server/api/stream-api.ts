import { AgentqError } from '@agentq/shared';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { isTextDelta, streamTokenSession, subscribeSession } from '../../live/index.js';
import { authenticate } from '../auth/authenticate.js';
import type { ResolvedAuth } from '../auth/dashboard-auth.js';
import type { SessionRevocations } from '../auth/session-revocations.js';
import type { DashboardContext } from '../dashboard-context.js';
import { HttpError } from '../http/http-error.js';

const EVENT_ID = /^\d+(-\d+)?$/;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/sessions/:id/stream`: the session's events as Server-Sent Events (`id:` = the event id, `event:` =
 * its type, `data:` = the event as JSON), resuming after `Last-Event-ID` (header, or `lastEventId` in the
 * query for a first connection); `?deltas=1` adds `text_delta` events (no `id:`, not replayed). Ends with an
 * `end` event once the session has ended. Reachable with the dashboard's credentials or with a stream token
 * of this very session (`?token=` — EventSource cannot set headers — or `Authorization: Bearer aqst_…`);
 * a token of another session is refused with 403. Mounted before the dashboard's own authentication.
 */
export function streamApi(ctx: DashboardContext, options: { loopbackOnly: boolean; revocations: SessionRevocations }): Router {
  const router = Router();
  const dashboardAuth = authenticate(ctx.auth, unauthorized(ctx.auth), options);
  router.get('/api/sessions/:id/stream', async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
    const token = streamTokenOf(req);
    if (token === undefined) return dashboardAuth(req, res, next);
    const scope = await streamTokenSession(ctx.producer.stores, token);
    if (!scope) throw new HttpError(401, 'unauthorized', 'unknown or expired stream token');
    if (scope !== req.params.id) throw new HttpError(403, 'forbidden', 'this stream token is for another session');
    // A token, not a cookie, authorizes the request: any page holding it may read the stream.
    res.set('Access-Control-Allow-Origin', '*');
    next();
  });
  router.get('/api/sessions/:id/stream', async (req: Request<{ id: string }>, res: Response) => {
    const sessionId = req.params.id;
    const from = lastEventId(req);
    const session = await ctx.producer.get(sessionId);
    if (!session) throw new AgentqError('session_not_found', `no session ${sessionId}`);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 1000\n\n');
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    try {
      const live = subscribeSession(ctx.producer.stores, sessionId, { ...(from ? { from } : {}), deltas: req.query.deltas === '1', signal: stop.signal });
      for await (const item of live) {
        if (isTextDelta(item)) res.write(`event: text_delta\ndata: ${JSON.stringify(item)}\n\n`);
        else res.write(`id: ${item.id}\nevent: ${item.type}\ndata: ${JSON.stringify(item)}\n\n`);
      }
      if (!stop.signal.aborted) {
        const final = await ctx.producer.get(sessionId);
        res.write(`event: end\ndata: ${JSON.stringify({ sessionId, status: final?.status ?? null })}\n\n`);
      }
    } catch (error) {
      ctx.logger?.warn({ err: error, sessionId }, 'session stream failed');
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  });
  return router;
}

function streamTokenOf(req: Request): string | undefined {
  if (typeof req.query.token === 'string') return req.query.token;
  const header = req.get('authorization');
  if (header?.toLowerCase().startsWith('bearer aqst_')) return header.slice('bearer '.length).trim();
  return undefined;
}

function lastEventId(req: Request): string | undefined {
  const value = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  if (value === undefined || value === '') return undefined;
  if (!EVENT_ID.test(value)) throw new HttpError(400, 'bad_request', `Last-Event-ID "${value.slice(0, 40)}" is not an event id`);
  return value;
}

function unauthorized(auth: ResolvedAuth) {
  return (_req: Request, res: Response): void => {
    res.set('WWW-Authenticate', auth.basic ? 'Bearer realm="agentq", Basic realm="agentq"' : 'Bearer realm="agentq"');
    res.status(401).json({ error: { code: 'unauthorized', message: 'send the dashboard credentials or a stream token of this session (?token=)' } });
  };
}
