import type { Logger, McpServerConfig } from '@agentq/shared';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * One MCP client per server per worker process, connected on first use. A client whose transport closed (a
 * stdio server that exited, a dropped HTTP connection) is forgotten, so the next call connects afresh.
 */
export class McpConnections {
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(private readonly logger: Logger) {}

  get(server: McpServerConfig): Promise<Client> {
    const key = serverKey(server);
    let client = this.clients.get(key);
    if (!client) {
      client = this.connect(server, key);
      this.clients.set(key, client);
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  /** Drops a client after a failed call so the next one reconnects (the server may have restarted). */
  forget(server: McpServerConfig): void {
    const key = serverKey(server);
    const client = this.clients.get(key);
    this.clients.delete(key);
    void client?.then((c) => c.close()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.then((client) => client.close()).catch(() => undefined)));
  }

  private async connect(server: McpServerConfig, key: string): Promise<Client> {
    const t = server.transport;
    const transport =
      t.type === 'http'
        ? new StreamableHTTPClientTransport(new URL(t.url), t.headers ? { requestInit: { headers: t.headers } } : undefined)
        : new StdioClientTransport({
            command: t.command,
            ...(t.args ? { args: t.args } : {}),
            ...(t.env ? { env: { ...t.env } } : {}),
            ...(t.cwd ? { cwd: t.cwd } : {}),
            stderr: 'ignore',
          });
    const client = new Client({ name: 'agentq', version: '0.1.0' });
    client.onclose = () => {
      if (this.clients.get(key)) this.clients.delete(key);
    };
    await client.connect(transport);
    this.logger.debug({ server: server.name, transport: t.type }, 'MCP server connected');
    return client;
  }
}

function serverKey(server: McpServerConfig): string {
  return JSON.stringify([server.name, server.transport]);
}
