import { fileURLToPath } from 'node:url';
import { type Agent, defineAgent } from '@agentq/shared';

/** The built MCP server the `status` agent starts over stdio (one process per worker, on first use). */
export const STATUS_SERVER = fileURLToPath(new URL('./status-mcp-server.js', import.meta.url));

/**
 * The `status` agent: no tools of its own, only those of the demo's status-page MCP server. Its one tool is
 * read-only, so its sessions run unattended; the tool list is discovered on a session's first step and saved
 * with the session.
 */
export function createStatusAgent(options: { model?: string } = {}): Agent {
  return defineAgent({
    name: 'status',
    ...(options.model === undefined ? {} : { model: options.model }),
    system: 'You answer questions about the health of our services. Check the status page before you answer.',
    tools: [],
    mcpServers: [{ name: 'status', transport: { type: 'stdio', command: process.execPath, args: [STATUS_SERVER] }, timeoutMs: 10_000 }],
    limits: { maxSteps: 6, maxAutoRisk: 'low' },
  });
}
