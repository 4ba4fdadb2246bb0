import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentProducer } from '@agentq/producer';
import { livePage } from './live-page.js';

export interface LiveExampleOptions {
  producer: AgentProducer;
  /** The dashboard the browser streams from (it holds no dashboard credentials, only a stream token). */
  dashboardUrl: string;
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
}

export interface LiveExample {
  url: string;
  close(): Promise<void>;
}

/**
 * The application backend of the example: `GET /sessions/<id>` answers the live page with a fresh stream
 * token of that one session. A real backend would check first that its user may see the session.
 */
export async function startLiveExample(options: LiveExampleOptions): Promise<LiveExample> {
  const server: Server = createServer((req, res) => {
    const match = /^\/sessions\/([A-Za-z0-9_-]{1,100})$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' || !match) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const sessionId = match[1] as string;
    options.producer.streamToken(sessionId).then(
      ({ token }) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(livePage({ dashboardUrl: options.dashboardUrl, sessionId, token }));
      },
      () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such session\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
