import { createServer } from 'node:http';
import { readRunnableBacklog, type Redis, registerQueueGauges } from '@agentq/shared';
import { listenHttp } from '@agentq/shared/internal';
import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';

export interface MetricsExporterOptions {
  /** The queues whose backlog is served (every queue the fleet consumes). */
  queues: () => readonly Queue[];
  /** A connection for `/readyz`. */
  redis: Redis;
  /** 0 picks a free port. */
  port: number;
  /** Interface to listen on; the metrics carry no auth, so opening them to the network is a deliberate choice. @defaultValue '127.0.0.1' */
  host?: string;
}

export interface MetricsExporter {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/**
 * The queue's numbers for Prometheus and an autoscaler, without the dashboard's token: `GET /metrics` (queue
 * gauges only, cheap to scrape), `GET /backlog` (the runnable backlog as JSON, for KEDA's metrics-api trigger),
 * `GET /healthz` and `GET /readyz` (503 while Redis does not answer). It reads counts only; nothing it serves
 * names a session, a tenant or an input.
 */
export async function startMetricsExporter(options: MetricsExporterOptions): Promise<MetricsExporter> {
  const registry = new Registry();
  registerQueueGauges(registry, options.queues);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const fail = (error: unknown) =>
      send(503, 'application/json', JSON.stringify({ status: 'unavailable', error: error instanceof Error ? error.message : String(error) }));
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed');
    if (path === '/metrics') {
      registry.metrics().then((text) => send(200, registry.contentType, text), fail);
      return;
    }
    if (path === '/backlog') {
      readRunnableBacklog(options.queues()).then((backlog) => send(200, 'application/json', JSON.stringify(backlog)), fail);
      return;
    }
    if (path === '/healthz') return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      options.redis.ping().then(() => send(200, 'application/json', JSON.stringify({ status: 'ok', redis: 'up' })), fail);
      return;
    }
    send(404, 'text/plain', 'not found');
  });
  return listenHttp(server, options.port, options.host ?? '127.0.0.1');
}
