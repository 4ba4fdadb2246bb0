import { type Agent, type ChatMessage, type ContentBlock, type Limits, riskExceeds, type ServerToolOption } from '@agentq/shared';
import type Anthropic from '@anthropic-ai/sdk';

/** Minimum `budget_tokens` the API accepts for manual extended thinking. */
export const MIN_THINKING_BUDGET = 1024;

export interface MessageRequestInput {
  agent: Agent;
  limits: Limits;
  /** The agent's model unless a fallback replaces it. */
  model?: string;
  /** Extra system text after the agent's cached block (the rolling summary): changes only at a fold. */
  systemNotes: readonly string[];
  messages: readonly ChatMessage[];
  maxTokens: number;
  tenant?: string | undefined;
  /**
   * The request sends back a thinking block whose prefix agentq changed on purpose (a fold cut the window):
   * ask the API to drop such blocks instead of failing the request.
   */
  dropStaleThinking?: boolean;
}

export interface MessageRequest {
  params: Anthropic.MessageCreateParamsNonStreaming;
  /** Server tools the session's `maxAutoRisk` kept out of the request. */
  gatedServerTools: string[];
}

/**
 * The one place a step's Messages request is built, for a direct call or a batch lane alike: model, the
 * cached system prompt (1-hour TTL: it is shared by every session of the agent), the summary after it, the
 * tools (cached), a cache breakpoint on the conversation's last block (the conversation is append-only
 * between folds, so the next step reads it back), and the agent's thinking, effort, tool choice, output
 * format, service tier, server tools and `metadata.user_id` from the tenant.
 */
export function buildMessageRequest(input: MessageRequestInput): MessageRequest {
  const { agent, limits } = input;
  const thinking = thinkingParam(agent, input.maxTokens, input.dropStaleThinking === true);
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: input.model ?? agent.model,
    max_tokens: input.maxTokens,
    system: [
      { type: 'text', text: agent.system, cache_control: { type: 'ephemeral', ttl: '1h' } },
      ...(input.systemNotes.length > 0 ? [{ type: 'text' as const, text: input.systemNotes.join('\n\n') }] : []),
    ],
    messages: withConversationBreakpoint(input.messages),
  };
  const tools: Anthropic.ToolUnion[] = [...agent.tools.values()].map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
  }));
  const gatedServerTools: string[] = [];
  for (const server of agent.serverTools) {
    if (riskExceeds(server.risk, limits.maxAutoRisk)) gatedServerTools.push(server.kind);
    else tools.push(serverToolParam(server));
  }
  if (tools.length > 0) {
    const last = tools.length - 1;
    params.tools = tools.map((tool, i) => (i === last ? ({ ...tool, cache_control: { type: 'ephemeral', ttl: '1h' } } as Anthropic.ToolUnion) : tool));
  }
  if (thinking) params.thinking = thinking;
  const outputConfig: Anthropic.OutputConfig = {};
  if (agent.effort) outputConfig.effort = agent.effort;
  if (agent.outputFormat) outputConfig.format = agent.outputFormat;
  if (Object.keys(outputConfig).length > 0) params.output_config = outputConfig;
  if (agent.toolChoice && params.tools) params.tool_choice = toolChoiceParam(agent.toolChoice);
  if (agent.serviceTier) params.service_tier = agent.serviceTier;
  // The tenant is the end user the API's abuse checks see; an opaque id, never a name or an address.
  if (input.tenant) params.metadata = { user_id: input.tenant };
  return { params, gatedServerTools };
}

function thinkingParam(agent: Agent, maxTokens: number, dropStale: boolean): Anthropic.ThinkingConfigParam | undefined {
  const option = agent.thinking;
  if (!option) return undefined;
  // `block_binding` is newer than the SDK's non-beta types; the API reads it on every thinking config.
  const binding = dropStale ? { block_binding: { prefix_mismatch_behavior: 'drop_block' } } : {};
  const display = option.type !== 'disabled' && option.display ? { display: option.display } : {};
  switch (option.type) {
    case 'disabled':
      return { type: 'disabled' };
    case 'adaptive':
      return { type: 'adaptive', ...display, ...binding } as Anthropic.ThinkingConfigParam;
    case 'enabled': {
      // The API wants budget_tokens < max_tokens; a budget-cut max_tokens narrows the thinking budget with it.
      const budget = Math.max(MIN_THINKING_BUDGET, Math.min(option.budgetTokens, maxTokens - 1));
      return { type: 'enabled', budget_tokens: budget, ...display, ...binding } as Anthropic.ThinkingConfigParam;
    }
  }
}

function toolChoiceParam(choice: NonNullable<Agent['toolChoice']>): Anthropic.ToolChoice {
  if (choice.type === 'none') return { type: 'none' };
  const parallel = choice.disableParallelToolUse !== undefined ? { disable_parallel_tool_use: choice.disableParallelToolUse } : {};
  if (choice.type === 'tool') return { type: 'tool', name: choice.name, ...parallel };
  return { type: choice.type, ...parallel };
}

function serverToolParam(tool: ServerToolOption): Anthropic.ToolUnion {
  const uses = tool.maxUses !== undefined ? { max_uses: tool.maxUses } : {};
  const domains = tool.allowedDomains ? { allowed_domains: tool.allowedDomains } : {};
  switch (tool.kind) {
    case 'web_search':
      return { type: 'web_search_20260318', name: 'web_search', ...uses, ...domains } as Anthropic.ToolUnion;
    case 'web_fetch':
      return { type: 'web_fetch_20260318', name: 'web_fetch', ...uses, ...domains } as Anthropic.ToolUnion;
    case 'code_execution':
      return { type: 'code_execution_20260521', name: 'code_execution' } as Anthropic.ToolUnion;
  }
}

// Blocks the API does not let carry cache_control.
const UNCACHEABLE = new Set(['thinking', 'redacted_thinking']);

/** The messages with a cache breakpoint on the last block of the last message (a string becomes a text block). */
function withConversationBreakpoint(messages: readonly ChatMessage[]): Anthropic.MessageParam[] {
  // Only the last message changes: the others go as they are, so the request's estimate finds them by
  // identity among the lengths the history load knows (see history-line.ts).
  const out = messages.map((m, i) => (i === messages.length - 1 ? { ...m } : m)) as Anthropic.MessageParam[];
  const last = out.at(-1);
  if (!last) return out;
  const blocks: ContentBlock[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...(last.content as ContentBlock[])];
  const at = blocks.length - 1;
  const block = blocks[at];
  if (!block || UNCACHEABLE.has(block.type)) return out;
  blocks[at] = { ...block, cache_control: { type: 'ephemeral' } };
  last.content = blocks as Anthropic.ContentBlockParam[];
  return out;
}
