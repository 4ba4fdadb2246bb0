import type { Request, Response } from 'express';
import { safeNext } from '../auth/login-routes.js';

/** Notices a page shows after a form action; only these keys are accepted from the query string. */
export const NOTICES = {
  approved: 'Approved. The session resumes on the next free worker.',
  approved_pending: 'Approved. The session still waits on its other pending approvals.',
  denied: 'Denied. The model is told why and continues.',
  denied_pending: 'Denied. The session still waits on its other pending approvals.',
  cancelled: 'Session cancelled.',
  cancel_requested: 'Cancel requested; the session stops at its next step boundary.',
} as const;
export type NoticeKey = keyof typeof NOTICES;

/** A plain HTML form post (the pages work without JavaScript): answered with a redirect, not JSON. */
export function isFormPost(req: Request): boolean {
  return req.method === 'POST' && typeof req.is('application/x-www-form-urlencoded') === 'string';
}

/**
 * Answers an API action: JSON for programs; for a page's form, a 303 back to the page it names in `_next`
 * with a notice, so a reload does not post twice.
 */
export function sendAction(req: Request, res: Response, body: unknown, notice: NoticeKey): void {
  if (isFormPost(req)) {
    const next = safeNext((req.body as Record<string, unknown> | undefined)?._next);
    res.redirect(303, `${next}${next.includes('?') ? '&' : '?'}notice=${notice}`);
    return;
  }
  res.status(200).json(body);
}

export function noticeFrom(query: unknown): { kind: 'ok'; text: string } | undefined {
  const key = (query as Record<string, unknown> | undefined)?.notice;
  return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? { kind: 'ok', text: NOTICES[key as NoticeKey] } : undefined;
}
