export { defineAgent, type Agent, type AgentOptions } from './define-agent.js';
export { defineTool, DEFAULT_BREAKER, isToolContent, toolContent, type BreakerSettings, type Tool, type ToolContent, type ToolContext, type ToolOptions, type ToolOutput } from './define-tool.js';
export { EffortOption, OutputFormatOption, ServerToolOption, ServiceTierOption, ThinkingOption, ToolChoiceOption } from './model-options.js';
export { maxRisk, Risk, RISK_LEVELS, riskExceeds, riskRank } from './risk.js';
export { askHumanTool } from './ask-human.js';
export { checkMcpServers, type McpServerConfig, type McpToolOverride, type McpTransport } from './mcp-server.js';
