import { createServer, type Server } from 'node:http';
import { listenHttp } from '@agentq/shared/internal';
import type { Registry } from 'prom-client';
import type { Probes } from '../health/worker-probes.js';

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
 * (liveness) and `GET /readyz` (readiness): 200 or 503 as the probes say, their reasons in the JSON body.
 * Without probes both answer 200 while the process runs.
 */
export async function startMetricsServer(registry: Registry, options: { port: number; host?: string; probes?: Probes }): Promise<MetricsServer> {
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
      const { ok, ...details } = (path === '/healthz' ? options.probes?.liveness() : options.probes?.readiness()) ?? { ok: true };
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...details }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  // Loopback by default: the metrics carry no auth, so opening them to the network is a deliberate choice.
  const listening = await listenHttp(server, options.port, options.host ?? '127.0.0.1');
  return { ...listening, url: `${listening.url}/metrics` };
}
