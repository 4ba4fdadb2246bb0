/**
 * The demo's MCP server: a status page for the demo company's services, written with the official MCP SDK and
 * spoken over stdio. The `status` agent lists it in `mcpServers`, so each worker process starts it on first use
 * and its tool reaches the model as `status_service_status`. Its answers are fixed, so the demo stays
 * deterministic.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const STATUS: Record<string, { status: string; detail: string }> = {
  api: { status: 'operational', detail: 'p99 latency 180 ms' },
  workers: { status: 'degraded', detail: '1 of 3 worker pods restarting after a deploy' },
  redis: { status: 'operational', detail: 'memory 41% of maxmemory, AOF on' },
};

const TOOLS = [
  {
    name: 'service_status',
    description: `Current status of one service: ${Object.keys(STATUS).join(', ')}`,
    inputSchema: { type: 'object', properties: { service: { type: 'string', enum: Object.keys(STATUS) } }, required: ['service'] },
    // Read-only and closed-world: agentq treats the tool as safe, so it runs without an approval.
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
];

const server = new Server({ name: 'agentq-demo-status', version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
server.setRequestHandler(CallToolRequestSchema, (request) => {
  const { name, arguments: args = {} } = request.params;
  const service = typeof args.service === 'string' ? args.service : '';
  const entry = STATUS[service];
  if (name !== 'service_status' || !entry) {
    return { content: [{ type: 'text', text: `unknown tool or service: ${name} ${service}` }], isError: true };
  }
  return { content: [{ type: 'text', text: JSON.stringify({ service, ...entry }) }] };
});
await server.connect(new StdioServerTransport());
