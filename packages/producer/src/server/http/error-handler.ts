import type { Logger } from '@agentq/shared';
import type { NextFunction, Request, Response } from 'express';
import { html } from './html.js';
import { HttpError, toHttpError } from './http-error.js';
import { isFormPost } from './respond.js';
import { document } from '../pages/layout.js';

function wantsHtml(req: Request): boolean {
  return isFormPost(req) || (req.method === 'GET' && !req.path.startsWith('/api/') && req.accepts(['json', 'html']) === 'html');
}

/** Every error leaves as `{ error: { code, message } }` with its status, or as a small HTML page for browsers. */
export function errorHandler(logger: Logger | undefined) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const http = toHttpError(error);
    if (http.status >= 500) logger?.error({ err: error, method: req.method, path: req.path }, 'dashboard request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (wantsHtml(req)) {
      const back = req.get('referer');
      res
        .status(http.status)
        .type('html')
        .send(
          document(
            `Error ${http.status}`,
            html`<main id="main">
              <div class="notice bad" role="alert"><strong>${http.status} ${http.code}</strong>: ${http.message}</div>
              <p><a href="${back && back.startsWith(`${req.protocol}://${req.get('host')}/`) ? back : '/sessions'}">Back</a></p>
            </main>`,
          ).value,
        );
      return;
    }
    res.status(http.status).json({ error: { code: http.code, message: http.message } });
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`));
}
