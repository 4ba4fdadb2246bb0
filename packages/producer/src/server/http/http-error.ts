import { AgentqError, type ErrorCode } from '@agentq/shared';
import { z } from 'zod';

/** Codes the HTTP layer adds to agentq's own {@link ErrorCode}s. */
export const HttpErrorCode = z.enum(['unauthorized', 'forbidden', 'csrf_failed', 'not_found', 'bad_request', 'method_not_allowed']);
export type HttpErrorCode = z.infer<typeof HttpErrorCode>;

/** An error answered with this status and a JSON body `{ error: { code, message } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode | ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The HTTP status an agentq error code maps to; anything unexpected is a 500. */
export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case 'session_not_found':
    case 'approval_not_found':
      return 404;
    case 'approval_already_decided':
    case 'approval_expired':
    case 'session_not_waiting':
      return 409;
    case 'invalid_payload':
    case 'config_invalid':
      return 400;
    default:
      return 500;
  }
}

/** Maps anything thrown by a handler to the status, code and message the client sees. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (AgentqError.isInstance(error)) return new HttpError(statusForCode(error.code), error.code, error.message);
  // body-parser errors carry a status (400 bad JSON, 413 too large)
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, 'bad_request', (error as Error).message);
  return new HttpError(500, 'internal', 'internal error');
}
