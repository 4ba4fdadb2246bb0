import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { RedisHealthState } from '../health/redis-health.js';

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  /** The address actually bound. */
  readonly host: string;
  close(): Promise<void>;
}

/**
 * Serves one registry at `GET /metrics` on its own port, apart from any app server, with `GET /healthz`
 * (liveness: 200 while the process runs, with Redis's state in the body) and `GET /readyz` (readiness: 503
 * while Redis does not answer).
 */
export async function startMetricsServer(registry: Registry, options: { port: number; host?: string; health?: () => RedisHealthState }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
      return;
    }
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      const state = options.health?.() ?? { redis: 'up', downForMs: 0, outages: 0 };
      const status = path === '/readyz' && state.redis === 'down' ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'unavailable', ...state }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  // Loopback by default: the metrics carry no auth, so opening them to the network is a deliberate choice.
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const port = address.port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    port,
    host: address.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
