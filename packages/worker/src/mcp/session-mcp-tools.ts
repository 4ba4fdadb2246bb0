import { type Agent, type McpServerConfig, type Stores, type Tool, type ToolContext, truncateText } from '@agentq/shared';
import { z } from 'zod';
import type { McpConnections } from './mcp-connections.js';
import { type McpAnnotations, mcpToolPolicy } from './mcp-risk.js';

/** One MCP tool as discovered, saved with the session. */
export interface McpToolDef {
  server: string;
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations?: McpAnnotations;
}

const MAX_RESULT_CHARS = 100_000;

/** The name the model calls an MCP tool by: `<server>_<tool>`, within the Messages API's rule. */
export function mcpToolName(server: string, tool: string): string {
  return `${server}_${tool}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/**
 * The session's MCP tools: discovered from the agent's servers on the session's first step and saved with
 * it (SET NX: of two racing attempts one list wins), so retries and replays of any step see the same list
 * even when a server's tools change. A server that cannot be reached at discovery contributes no tools.
 */
export async function sessionMcpTools(stores: Stores, connections: McpConnections, agent: Agent, sessionId: string): Promise<McpToolDef[]> {
  const key = stores.keys.mcpTools(sessionId);
  const saved = await stores.redis.get(key);
  if (saved) return JSON.parse(saved) as McpToolDef[];
  const found: McpToolDef[] = [];
  for (const server of agent.mcpServers) {
    try {
      const client = await connections.get(server);
      const { tools } = await client.listTools();
      for (const tool of tools) {
        found.push({
          server: server.name,
          name: tool.name,
          description: truncateText(tool.description ?? tool.title ?? tool.name, 4000),
          inputSchema: tool.inputSchema as Record<string, unknown>,
          ...(tool.annotations ? { annotations: tool.annotations as McpAnnotations } : {}),
        });
      }
    } catch {
      connections.forget(server);
    }
  }
  await stores.redis.set(key, JSON.stringify(found), 'NX');
  return JSON.parse((await stores.redis.get(key)) ?? '[]') as McpToolDef[];
}

/** The agent with its session's MCP tools added, each an ordinary agentq tool. */
export function withMcpTools(agent: Agent, defs: McpToolDef[], connections: McpConnections): Agent {
  if (defs.length === 0) return agent;
  const tools = new Map(agent.tools);
  for (const def of defs) {
    const server = agent.mcpServers.find((s) => s.name === def.server);
    if (!server) continue;
    const tool = mcpTool(server, def, connections);
    if (!tools.has(tool.name)) tools.set(tool.name, tool);
  }
  return { ...agent, tools };
}

function mcpTool(server: McpServerConfig, def: McpToolDef, connections: McpConnections): Tool {
  const override = server.tools?.[def.name] ?? {};
  const { risk, idempotent } = mcpToolPolicy(def.annotations, override);
  let input: z.ZodType;
  try {
    input = z.fromJSONSchema(def.inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    input = z.record(z.string(), z.unknown());
  }
  const inputSchema = { ...def.inputSchema, type: 'object' };
  return {
    kind: 'agentq.tool',
    name: mcpToolName(server.name, def.name),
    description: def.description,
    input,
    risk,
    timeoutMs: override.timeoutMs ?? server.timeoutMs ?? 30_000,
    retries: override.retries ?? (idempotent ? 2 : 0),
    idempotent,
    policy: undefined,
    sensitive: [],
    breaker: { failures: 5, windowMs: 60_000, cooldownMs: 30_000 },
    inputSchema,
    run: async (args: unknown, ctx: ToolContext) => {
      let result;
      try {
        const client = await connections.get(server);
        result = await client.callTool(
          { name: def.name, arguments: args as Record<string, unknown>, _meta: { idempotencyKey: ctx.idempotencyKey, 'agentq/sessionId': ctx.sessionId } },
          undefined,
          { signal: ctx.signal, timeout: override.timeoutMs ?? server.timeoutMs ?? 30_000 },
        );
      } catch (error) {
        // The transport failed mid-call (a crashed server, a dropped connection, a timeout): the client is
        // dropped so the next call connects afresh; the tool runtime retries only idempotent tools.
        connections.forget(server);
        throw error;
      }
      const text = contentText(result.content);
      if (result.isError) throw new Error(truncateText(text || `${def.name} failed`, 2000));
      return truncateText(text, MAX_RESULT_CHARS);
    },
  } as Tool;
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((block: { type?: string; text?: string }) => (block.type === 'text' ? (block.text ?? '') : `[${block.type ?? 'content'}]`)).join('\n');
}
