export { McpConnections } from './mcp-connections.js';
export { type McpAnnotations, mcpToolPolicy } from './mcp-risk.js';
export { mcpToolName, sessionMcpTools, type McpToolDef, withMcpTools } from './session-mcp-tools.js';
