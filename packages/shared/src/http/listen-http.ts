import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** An HTTP server listening: where to reach it, and how to stop it. */
export interface ListeningServer {
  /** Base URL a client on this host reaches the server at (a wildcard bind is reached through loopback). */
  readonly url: string;
  readonly port: number;
  /** The address bound. */
  readonly host: string;
  close(): Promise<void>;
}

/**
 * Starts `server` on `host:port` (port 0 picks a free one) and resolves once it listens; a bind error (the
 * port taken, the interface absent) rejects instead of surfacing later as an unhandled `error` event.
 * `close` also ends kept-alive connections, so a scraper's open socket never holds a shutdown.
 */
export async function listenHttp(server: Server, port: number, host: string): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    port: address.port,
    host: address.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
