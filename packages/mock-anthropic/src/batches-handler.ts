import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidRequest, MockApiError } from './api-error.js';
import { MAX_BODY_BYTES, readBody, sendError, sendJson } from './http-util.js';
import { answerBatchRequest } from './messages-handler.js';
import type { MockState } from './mock-state.js';

const BATCHES = '/v1/messages/batches';

function baseUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** Whether `path` belongs to the Message Batches API. */
export function isBatchesPath(path: string): boolean {
  return path === BATCHES || path.startsWith(`${BATCHES}/`);
}

/**
 * The Message Batches API: `POST /v1/messages/batches` (create), `GET .../batches` (list, newest first, with
 * `limit`, `after_id`, `before_id`), `GET .../{id}` (retrieve), `GET .../{id}/results` (JSONL),
 * `POST .../{id}/cancel`, `DELETE .../{id}`.
 */
export async function handleBatches(req: IncomingMessage, res: ServerResponse, state: MockState, requestId: string, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  const headers = { 'request-id': requestId };
  const now = Date.now();
  const store = state.batches;
  try {
    if (req.headers['x-api-key'] === undefined && req.headers.authorization === undefined) {
      req.resume();
      throw new MockApiError(401, 'x-api-key header is required', 'authentication_error');
    }
    const rest = path.slice(BATCHES.length).split('/').filter(Boolean);
    if (method === 'POST' && rest.length === 0) {
      const raw = await readBody(req, MAX_BODY_BYTES * 8);
      if (raw.tooLarge) throw new MockApiError(413, 'Request exceeds the maximum allowed number of bytes.', 'request_too_large');
      let body: unknown;
      try {
        body = JSON.parse(raw.text);
      } catch {
        throw invalidRequest('There was an error parsing the body of your request: it is not valid JSON.');
      }
      const batch = store.create(body, state.options.batchDelayMs, (params) => answerBatchRequest(params, state), now);
      return sendJson(res, 200, store.toWire(batch, now, baseUrl(req)), headers);
    }
    req.resume();
    if (method === 'GET' && rest.length === 0) return sendJson(res, 200, listPage(req, state, now), headers);
    const [id, action] = rest as [string, string | undefined];
    if (method === 'GET' && action === undefined) return sendJson(res, 200, store.toWire(store.get(id), now, baseUrl(req)), headers);
    if (method === 'POST' && action === 'cancel') return sendJson(res, 200, store.toWire(store.cancel(id, now), now, baseUrl(req)), headers);
    if (method === 'DELETE' && action === undefined) {
      store.delete(id, now);
      return sendJson(res, 200, { id, type: 'message_batch_deleted' }, headers);
    }
    if (method === 'GET' && action === 'results') {
      const text = store
        .results(id, now)
        .map((r) => JSON.stringify(r))
        .join('\n');
      res.writeHead(200, { ...headers, 'content-type': 'application/binary', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }
    throw new MockApiError(404, `${method} ${path} not found`, 'not_found_error');
  } catch (err) {
    if (!(err instanceof MockApiError)) throw err;
    sendError(res, err, requestId, {});
  }
}

function listPage(req: IncomingMessage, state: MockState, now: number) {
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  let all = state.batches.list();
  const after = query.get('after_id');
  const before = query.get('before_id');
  if (after) all = all.slice(all.findIndex((b) => b.id === after) + 1);
  if (before)
    all = all.slice(
      0,
      Math.max(
        0,
        all.findIndex((b) => b.id === before),
      ),
    );
  const page = all.slice(0, limit).map((b) => state.batches.toWire(b, now, baseUrl(req)));
  return { data: page, has_more: all.length > limit, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null };
}
