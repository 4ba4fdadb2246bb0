import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody } from './api-error.js';
import { readBody, sendJson } from './http-util.js';
import { newRequestId } from './ids.js';
import { handleBatches, isBatchesPath } from './batches-handler.js';
import { handleCountTokens, handleMessages } from './messages-handler.js';
import { MockState } from './mock-state.js';
import { assertValidOptions, defaultOptions, mergeOptions, type MockOptions, type RuntimeOptions } from './options.js';
import type { RecordedRequest } from './request-log.js';

/** A running mock; point the SDK's `baseURL` at `url`. */
export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Stops listening and drops open connections, including streams in flight. */
  close(): Promise<void>;
  /** `POST /v1/messages` requests received so far, in arrival order. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Changes options while running; `failNext` replaces the queue, an explicit `undefined` rate limit removes it. */
  setOptions(partial: RuntimeOptions): void;
}

function urlHost(host: string): string {
  // A wildcard address is fine to listen on but not to connect to.
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function handleSetOptions(req: IncomingMessage, res: ServerResponse, state: MockState, requestId: string): Promise<void> {
  const raw = await readBody(req, 1024 * 1024);
  const fail = (message: string): void => sendJson(res, 400, errorBody('invalid_request_error', message, requestId), { 'request-id': requestId });
  if (raw.tooLarge) return fail('options body too large');
  let patch: unknown;
  try {
    patch = JSON.parse(raw.text);
  } catch {
    return fail('options body is not valid JSON');
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return fail('options body must be an object');
  if ('port' in patch || 'host' in patch) return fail('port and host cannot change while running');
  try {
    assertValidOptions(patch as RuntimeOptions);
  } catch (err) {
    return fail((err as Error).message);
  }
  state.update(patch as RuntimeOptions);
  sendJson(res, 200, state.snapshot(), { 'request-id': requestId });
}

async function route(req: IncomingMessage, res: ServerResponse, state: MockState): Promise<void> {
  const requestId = newRequestId();
  const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const ok = { 'request-id': requestId };
  if (method === 'POST' && path === '/v1/messages') return handleMessages(req, res, state, requestId);
  if (method === 'POST' && path === '/v1/messages/count_tokens') return handleCountTokens(req, res, requestId);
  if (isBatchesPath(path)) return handleBatches(req, res, state, requestId, path);
  if (method === 'GET' && path === '/_mock/health') return sendJson(res, 200, { status: 'ok' }, ok);
  if (method === 'GET' && path === '/_mock/requests') return sendJson(res, 200, state.log.list(), ok);
  if (method === 'DELETE' && path === '/_mock/requests') {
    state.log.clear();
    return sendJson(res, 200, { cleared: true }, ok);
  }
  if (method === 'GET' && path === '/_mock/options') return sendJson(res, 200, state.snapshot(), ok);
  if (method === 'POST' && path === '/_mock/options') return handleSetOptions(req, res, state, requestId);
  req.resume();
  sendJson(res, 404, errorBody('not_found_error', `${method} ${path} not found`, requestId), ok);
}

/** Starts a Messages-API-compatible server. Throws a `RangeError` naming any invalid option. */
export async function startMockAnthropic(opts: MockOptions = {}): Promise<MockServer> {
  assertValidOptions(opts);
  const options = mergeOptions(defaultOptions(), opts);
  const state = new MockState(options);

  const server = createServer((req, res) => {
    route(req, res, state).catch((err: unknown) => {
      const requestId = newRequestId();
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) {
        sendJson(res, 500, errorBody('api_error', `mock-anthropic internal error: ${message}`, requestId), {
          'request-id': requestId,
        });
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
    requests: () => state.log.list(),
    clearRequests: () => state.log.clear(),
    setOptions: (partial) => {
      if ('port' in partial || 'host' in partial) {
        throw new TypeError('mock-anthropic: port and host cannot change while the server runs');
      }
      assertValidOptions(partial);
      state.update(partial);
    },
  };
}
