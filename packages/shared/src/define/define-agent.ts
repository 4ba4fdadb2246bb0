import { z } from 'zod';
import { limitViolations } from '../schemas/limit-ceilings.js';
import type { Limits, LimitsInput } from '../schemas/limits.js';
import { DEFAULT_MODEL, LimitsInput as LimitsInputSchema, resolveLimits } from '../schemas/limits.js';
import { askHumanTool } from './ask-human.js';
import { Urgency as UrgencySchema, type Urgency } from '../schemas/session.js';
import type { Tool } from './define-tool.js';
import { checkMcpServers, type McpServerConfig } from './mcp-server.js';
import { EffortOption, OutputFormatOption, ServerToolOption, ServiceTierOption, ThinkingOption, ToolChoiceOption } from './model-options.js';

export interface AgentOptions {
  /** Unique name producers start sessions with. */
  name: string;
  /** @defaultValue 'claude-sonnet-5-5' (the current Sonnet) */
  model?: string;
  system: string;
  tools: Tool[];
  /** This agent's limits: what its sessions run with, and the most a session may ask for. */
  limits?: LimitsInput;
  /**
   * How far a session may loosen `limits` (a session can always tighten them). A field not given here is
   * capped at its `limits` value (or its default). For `loop.window`, where a larger window is stricter,
   * this is the smallest window a session may ask for.
   * @defaultValue `limits`: sessions may only tighten
   */
  maxLimits?: LimitsInput;
  /** Per-tenant allow and deny lists of tool names. A denied tool is answered with an error result. */
  tenantPolicy?: Record<string, { allow?: string[]; deny?: string[] }>;
  /** Thinking, passed through to every model call of the agent. @defaultValue the model's own default */
  thinking?: ThinkingOption;
  /** `output_config.effort` on models that support it. @defaultValue the model's own default */
  effort?: EffortOption;
  /** Model a step retries with when the model answers `stop_reason: "refusal"`; unset = the session fails `model_refusal`. */
  fallbackModel?: string;
  /** `tool_choice`, passed through. @defaultValue the API's (`auto`) */
  toolChoice?: ToolChoiceOption;
  /** Structured output (`output_config.format`) for the final answer. */
  outputFormat?: OutputFormatOption;
  /** `service_tier`. @defaultValue the API's (`auto`) */
  serviceTier?: ServiceTierOption;
  /** Tools Anthropic runs (web search, web fetch, code execution), each with a risk tier. @defaultValue [] */
  serverTools?: ServerToolOption[];
  /**
   * Make model calls with the SDK's streaming API and publish their text deltas on the session's
   * non-durable delta channel (`producer.subscribe(id, { deltas: true })`, SSE `?deltas=1`). The durable
   * events and the checkpointed response are the same as without it. @defaultValue false
   */
  stream?: boolean;
  /**
   * Give the model the built-in `ask_human` tool: the session parks in `awaiting_input` until a person
   * answers with `producer.send` (or the question times out after `limits.approvalTimeoutMs`).
   * @defaultValue false
   */
  askHuman?: boolean;
  /**
   * MCP servers (Streamable HTTP or stdio) whose tools the model may call. Each session discovers the tool
   * list once and keeps it; every MCP call is an agentq tool call (checkpointed, loop-checked, risk-gated,
   * breaker-guarded), its risk taken from the tool's annotations (worst case when absent) unless overridden.
   * @defaultValue []
   */
  mcpServers?: McpServerConfig[];
  /** The lane of this agent's sessions unless a session chooses one at start: `batch` = Message Batches at half price. @defaultValue 'normal' */
  urgency?: Urgency;
}

export interface Agent {
  readonly kind: 'agentq.agent';
  readonly name: string;
  readonly model: string;
  readonly system: string;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly limits: LimitsInput;
  /** The most a session may ask for: `maxLimits` over `limits` over the defaults. */
  readonly ceiling: Limits;
  readonly tenantPolicy: Readonly<Record<string, { allow?: string[]; deny?: string[] }>>;
  readonly thinking?: ThinkingOption;
  readonly effort?: EffortOption;
  readonly fallbackModel?: string;
  readonly toolChoice?: ToolChoiceOption;
  readonly outputFormat?: OutputFormatOption;
  readonly serviceTier?: ServiceTierOption;
  readonly serverTools: readonly ServerToolOption[];
  readonly stream: boolean;
  readonly mcpServers: readonly McpServerConfig[];
  readonly urgency: Urgency;
}

/** Every option `defineAgent` knows: an unknown one (a typo, an option of another version) is refused. */
const AgentOptionsSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'may hold only letters, digits, ".", "_" and "-" (1-100 characters)'),
  model: z.string().min(1).optional(),
  system: z.string(),
  tools: z.array(z.custom<Tool>((t) => typeof t === 'object' && t !== null && typeof (t as Tool).name === 'string', 'must be a tool from defineTool')),
  limits: z.unknown().optional(),
  maxLimits: z.unknown().optional(),
  tenantPolicy: z.record(z.string(), z.object({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() })).optional(),
  thinking: ThinkingOption.optional(),
  effort: EffortOption.optional(),
  fallbackModel: z.string().min(1).optional(),
  toolChoice: ToolChoiceOption.optional(),
  outputFormat: OutputFormatOption.optional(),
  serviceTier: ServiceTierOption.optional(),
  serverTools: z.array(ServerToolOption).optional(),
  stream: z.boolean().optional(),
  askHuman: z.boolean().optional(),
  // Checked in detail by checkMcpServers.
  mcpServers: z.array(z.unknown()).optional(),
  urgency: z.unknown().optional(),
});

export function defineAgent(options: AgentOptions): Agent {
  const parsed = AgentOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const name = typeof options?.name === 'string' ? options.name : '(unnamed)';
    const issues = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown option${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`
        : `${i.path.join('.') || '(options)'}: ${i.message}`,
    );
    throw new TypeError(`defineAgent "${name}": ${issues.join('; ')}`);
  }
  checkMcpServers(options.name, options.mcpServers ?? []);
  const tools = new Map<string, Tool>();
  for (const tool of options.askHuman ? [...options.tools, askHumanTool] : options.tools) {
    if (tools.has(tool.name)) throw new TypeError(`defineAgent: tool "${tool.name}" is listed twice in "${options.name}"`);
    tools.set(tool.name, tool);
  }
  const limits = LimitsInputSchema.parse(options.limits ?? {});
  const ceiling = resolveLimits(limits, options.maxLimits);
  const beyond = limitViolations(limits, ceiling);
  if (beyond.length > 0) {
    const list = beyond.map((v) => `limits.${v.field} ${JSON.stringify(v.requested)} is past maxLimits ${JSON.stringify(v.ceiling)}`).join('; ');
    throw new TypeError(`defineAgent: "${options.name}": ${list}`);
  }
  const o = parsed.data;
  return Object.freeze({
    kind: 'agentq.agent' as const,
    name: options.name,
    model: options.model ?? DEFAULT_MODEL,
    system: options.system,
    tools,
    limits,
    ceiling,
    tenantPolicy: options.tenantPolicy ?? {},
    ...(o.thinking ? { thinking: o.thinking } : {}),
    ...(o.effort ? { effort: o.effort } : {}),
    ...(o.fallbackModel ? { fallbackModel: o.fallbackModel } : {}),
    ...(o.toolChoice ? { toolChoice: o.toolChoice } : {}),
    ...(o.outputFormat ? { outputFormat: o.outputFormat } : {}),
    ...(o.serviceTier ? { serviceTier: o.serviceTier } : {}),
    serverTools: o.serverTools ?? [],
    stream: options.stream ?? false,
    mcpServers: options.mcpServers ?? [],
    urgency: UrgencySchema.parse(options.urgency ?? 'normal'),
  });
}
