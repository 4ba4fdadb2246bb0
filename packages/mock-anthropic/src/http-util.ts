import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, type MockApiError } from './api-error.js';

/** The API's request size limit for the Messages endpoint. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export type BodyResult = { tooLarge: false; text: string } | { tooLarge: true };

/**
 * Reads the whole body, but stops keeping it past `limit` bytes. The rest is
 * still drained, because answering before the upload ends makes many
 * clients see a broken pipe instead of the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { tooLarge: true } : { tooLarge: false, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

export function canWrite(res: ServerResponse): boolean {
  return !res.headersSent && !res.destroyed && !res.writableEnded;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (!canWrite(res)) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: MockApiError, requestId: string, headers: Record<string, string>): void {
  sendJson(res, error.status, errorBody(error.type, error.message, requestId), {
    ...headers,
    ...error.headers,
    'request-id': requestId,
  });
}
