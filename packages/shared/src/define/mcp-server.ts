import type { Risk } from './risk.js';

/** How agentq reaches an MCP server. */
export type McpTransport =
  | {
      type: 'http';
      /** Streamable HTTP endpoint, e.g. `https://tools.example.com/mcp`. */
      url: string;
      /** Extra request headers (e.g. `Authorization`). @defaultValue none */
      headers?: Record<string, string>;
    }
  | {
      type: 'stdio';
      /** Program to start; each worker process starts it once and restarts it when it exits. */
      command: string;
      args?: string[];
      /** Environment of the process (added to a minimal default one by the SDK). @defaultValue none */
      env?: Record<string, string>;
      cwd?: string;
    };

/** What an agent may say about one MCP tool, over what its annotations imply. */
export interface McpToolOverride {
  risk?: Risk;
  idempotent?: boolean;
  /** @defaultValue the server's `timeoutMs` */
  timeoutMs?: number;
  /** @defaultValue 2 when idempotent, else 0 */
  retries?: number;
}

/** One MCP server whose tools an agent's sessions may call. */
export interface McpServerConfig {
  /** Short name; the model sees each tool as `<name>_<tool>`. Letters, digits, `_`, `-`; at most 24 characters. */
  name: string;
  transport: McpTransport;
  /** Per-tool overrides by the MCP tool's own name. @defaultValue none */
  tools?: Record<string, McpToolOverride>;
  /** Per-call time limit. @defaultValue 30000 */
  timeoutMs?: number;
}

const SERVER_NAME = /^[A-Za-z0-9_-]{1,24}$/;

/** Checks an agent's MCP server list at definition time. */
export function checkMcpServers(agent: string, servers: readonly McpServerConfig[]): void {
  const names = new Set<string>();
  for (const server of servers) {
    if (!SERVER_NAME.test(server.name)) throw new TypeError(`defineAgent: MCP server name "${server.name}" of "${agent}" must match ${SERVER_NAME}`);
    if (names.has(server.name)) throw new TypeError(`defineAgent: MCP server "${server.name}" is listed twice in "${agent}"`);
    names.add(server.name);
    const t = server.transport;
    if (t.type === 'http' && !/^https?:\/\//.test(t.url)) throw new TypeError(`defineAgent: MCP server "${server.name}" needs an http(s) url`);
    if (t.type === 'stdio' && !t.command) throw new TypeError(`defineAgent: MCP server "${server.name}" needs a command`);
  }
}
