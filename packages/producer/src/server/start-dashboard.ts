import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AgentqError, ENV, type Logger } from '@agentq/shared';
import type { Queue } from 'bullmq';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { AgentProducer } from '../agent-producer.js';
import { createProducerMetrics } from '../metrics/index.js';
import { isLoopback } from './auth/authenticate.js';
import { type DashboardAuthOptions, resolveAuth } from './auth/dashboard-auth.js';
import type { LoginThrottleOptions } from './auth/login-throttle.js';
import { createDashboardApp } from './create-app.js';

export interface DashboardOptions {
  /** The producer whose sessions, approvals and queue the dashboard shows and drives. */
  producer: AgentProducer;
  /** Credentials; the server refuses to start without one unless `insecure` is set. */
  auth: DashboardAuthOptions;
  /** Port to listen on; 0 picks a free one. @defaultValue 3000 */
  port?: number;
  /** Address to bind. @defaultValue '127.0.0.1' */
  host?: string;
  /** More BullMQ queues for Bull Board, besides the producer's own. @defaultValue [] */
  queues?: Queue[];
  /** Bull Board without retry, clean, pause or delete. @defaultValue false */
  readOnlyQueues?: boolean;
  /**
   * Origins accepted on state-changing requests besides the one in the `Host` header, e.g.
   * `https://agentq.example.com` behind a proxy that rewrites `Host`. @defaultValue []
   */
  trustedOrigins?: string[];
  /** Registry served at `/metrics`. @defaultValue createProducerMetrics(producer) */
  metrics?: Registry;
  /** Where request failures are logged. @defaultValue none */
  logger?: Logger;
  /** Throttling of wrong logins per client address. @defaultValue 10 per 60 s */
  loginThrottle?: LoginThrottleOptions;
}

export interface Dashboard {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  port: number;
  host: string;
  app: Express;
  /** Stops accepting connections and closes the open ones. Does not close the producer. */
  close(): Promise<void>;
}

/**
 * Serves Bull Board at `/queues`, agentq's pages (sessions, timelines, approvals, tool stats), the JSON API
 * under `/api/` and Prometheus metrics at `/metrics`, all behind the bearer token or basic credentials.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const auth = resolveAuth(options.auth);
  const host = options.host ?? '127.0.0.1';
  if (auth.insecure && !isLoopback(host)) {
    // Anyone who can reach the address could approve, deny and cancel sessions.
    throw new AgentqError(
      'config_invalid',
      `--insecure serves without authentication and is allowed only on a loopback host, not "${host}"; set ${ENV.DASHBOARD_TOKEN} instead`,
    );
  }
  const app = createDashboardApp({
    producer: options.producer,
    auth,
    queues: [...options.producer.queues, ...(options.queues ?? [])],
    readOnlyQueues: options.readOnlyQueues ?? false,
    trustedOrigins: options.trustedOrigins ?? [],
    metrics: options.metrics ?? createProducerMetrics(options.producer),
    logger: options.logger,
    loopbackOnly: isLoopback(host),
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 3000, host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    app,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
