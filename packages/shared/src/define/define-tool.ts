import { z } from 'zod';
import type { Logger } from '../logger/create-logger.js';
import { InputBlock } from '../schemas/content-blocks.js';
import type { Risk } from './risk.js';

/** What a tool's `run` receives besides its validated input. */
export interface ToolContext {
  sessionId: string;
  step: number;
  toolUseId: string;
  /** `<sessionId>:<step>:<toolUseId>`: stable across retries, pass it to outside systems that dedupe. */
  idempotencyKey: string;
  /** Aborted when the tool's `timeoutMs` passes or the worker shuts down. */
  signal: AbortSignal;
  /** 1 on the first attempt. */
  attempt: number;
  agent: string;
  tenant: string | undefined;
  metadata: Record<string, unknown>;
  logger: Logger;
}

/** A tool result made of content blocks (text, images such as screenshots, documents): see {@link toolContent}. */
export interface ToolContent {
  readonly kind: 'agentq.content';
  readonly blocks: readonly InputBlock[];
}

export type ToolOutput = string | ToolContent | Record<string, unknown> | unknown[];

/** Wraps content blocks as a tool's result: `return toolContent([{ type: 'image', source: { type: 'base64', ... } }])`. */
export function toolContent(blocks: InputBlock[]): ToolContent {
  const parsed = z.array(InputBlock).min(1).parse(blocks);
  return Object.freeze({ kind: 'agentq.content' as const, blocks: parsed });
}

export function isToolContent(output: unknown): output is ToolContent {
  return (
    typeof output === 'object' &&
    output !== null &&
    (output as { kind?: unknown }).kind === 'agentq.content' &&
    Array.isArray((output as { blocks?: unknown }).blocks)
  );
}

/** A tool's fleet-wide circuit breaker: after `failures` failed calls within `windowMs` it opens. */
export interface BreakerSettings {
  /** Failed calls (after their retries) within the window that open the breaker. @defaultValue 5 */
  failures: number;
  /** Sliding window the failures are counted in, in ms. @defaultValue 60000 */
  windowMs: number;
  /** How long an open breaker answers calls with an error before letting one trial call through. @defaultValue 30000 */
  cooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failures: 5, windowMs: 60_000, cooldownMs: 30_000 };

export interface ToolOptions<S extends z.ZodType> {
  /** Name the model calls the tool by: letters, digits, `_` and `-`, at most 64 characters. */
  name: string;
  description: string;
  /** zod schema of the input; sent to the model as JSON Schema and checked before `run`. */
  input: S;
  risk: Risk;
  /** Per-attempt time limit. @defaultValue 30000 */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure. @defaultValue 2 */
  retries?: number;
  /** Whether running twice is harmless. @defaultValue true for safe/low, false for medium/high */
  idempotent?: boolean;
  /** Raises (never lowers) the risk of one call from its input, e.g. payments over an amount are high. */
  policy?: (input: z.infer<S>) => Risk | undefined;
  /** Input field names redacted in logs and events. Fields marked `.meta({ sensitive: true })` are added. */
  sensitive?: string[];
  /** Circuit breaker settings, merged over {@link DEFAULT_BREAKER}; `false` turns it off. @defaultValue DEFAULT_BREAKER */
  breaker?: Partial<BreakerSettings> | false;
  run: (input: z.infer<S>, ctx: ToolContext) => Promise<ToolOutput> | ToolOutput;
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  readonly kind: 'agentq.tool';
  readonly name: string;
  readonly description: string;
  readonly input: S;
  readonly risk: Risk;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly idempotent: boolean;
  readonly policy: ((input: z.infer<S>) => Risk | undefined) | undefined;
  readonly sensitive: readonly string[];
  /** Resolved breaker settings; `undefined` when the breaker is off for this tool. */
  readonly breaker: Readonly<BreakerSettings> | undefined;
  /** JSON Schema of the input, as the Messages API wants it in `tools[].input_schema`. */
  readonly inputSchema: Record<string, unknown>;
  readonly run: (input: z.infer<S>, ctx: ToolContext) => Promise<ToolOutput> | ToolOutput;
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function defineTool<S extends z.ZodType>(options: ToolOptions<S>): Tool<S> {
  if (!TOOL_NAME.test(options.name)) {
    throw new TypeError(`defineTool: name "${options.name}" must match ${TOOL_NAME} (the Messages API rule)`);
  }
  const inputSchema = z.toJSONSchema(options.input, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  delete inputSchema.$schema;
  if (inputSchema.type !== 'object') {
    throw new TypeError(`defineTool: the input of "${options.name}" must be a z.object(...) schema`);
  }
  const lowRisk = options.risk === 'safe' || options.risk === 'low';
  return Object.freeze({
    kind: 'agentq.tool' as const,
    name: options.name,
    description: options.description,
    input: options.input,
    risk: options.risk,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 2,
    idempotent: options.idempotent ?? lowRisk,
    policy: options.policy,
    sensitive: [...new Set([...(options.sensitive ?? []), ...sensitiveFields(inputSchema)])],
    breaker: options.breaker === false ? undefined : resolveBreaker(options.name, options.breaker),
    inputSchema,
    run: options.run,
  });
}

function resolveBreaker(tool: string, input: Partial<BreakerSettings> | undefined): BreakerSettings {
  const settings = { ...DEFAULT_BREAKER, ...input };
  for (const [key, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`defineTool: breaker.${key} of "${tool}" must be a positive integer`);
  }
  return settings;
}

function sensitiveFields(schema: Record<string, unknown>): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties)
    .filter(([, prop]) => prop.sensitive === true)
    .map(([name]) => name);
}
