import { invalidRequest } from './api-error.js';
import { mergeTurns, type RawBlock, type RawMessage, type Turn } from './conversation.js';
import { alwaysThinks, checkCurrentCycle, checkThinkingBlocks, type DroppedThinking, parseThinking, prefixHash, type ThinkingRequest } from './thinking.js';

export type SystemBlock = Record<string, unknown> & { type: 'text'; text: string };
export type ToolDefinition = Record<string, unknown> & { name: string };

/** A request that passed validation, with its conversation merged into turns. */
export interface ValidRequest {
  model: string;
  /** 0 for count_tokens, which has no max_tokens. */
  maxTokens: number;
  stream: boolean;
  system: SystemBlock[];
  messages: RawMessage[];
  turns: Turn[];
  tools: ToolDefinition[];
  stopSequences: string[];
  /** Top-level `cache_control`: marks the last cacheable block. */
  cacheControl: Record<string, unknown> | undefined;
  thinking: ThinkingRequest;
  /** Thinking blocks the prefix check removed (`drop_block`); `messages` and `turns` no longer hold them. */
  droppedThinking: DroppedThinking[];
  /** Hash of the request as sent: the prefix a thinking block opening the response is bound to. */
  prefix: string;
}

export type RequestKind = 'create' | 'count_tokens';

// Every block type the installed SDK can send; the brief's list plus the newer server-tool results.
const BLOCK_TYPES = [
  'text',
  'image',
  'document',
  'search_result',
  'thinking',
  'redacted_thinking',
  'tool_use',
  'tool_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
] as const;

const TOOL_RESULT_CONTENT_TYPES = ['text', 'image', 'search_result', 'document', 'tool_reference', 'browser_state'];

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quoteList(items: readonly string[]): string {
  return items.map((t) => `'${t}'`).join(', ');
}

function requireString(obj: Record<string, unknown>, key: string, where: string): string {
  const value = obj[key];
  if (value === undefined) throw invalidRequest(`${where}.${key}: Field required`);
  if (typeof value !== 'string') throw invalidRequest(`${where}.${key}: Input should be a valid string`);
  return value;
}

function requireObject(obj: Record<string, unknown>, key: string, where: string): Record<string, unknown> {
  const value = obj[key];
  if (value === undefined) throw invalidRequest(`${where}.${key}: Field required`);
  if (!isObject(value)) throw invalidRequest(`${where}.${key}: Input should be a valid dictionary`);
  return value;
}

function checkTextBlock(block: Record<string, unknown>, where: string): void {
  const text = requireString(block, 'text', where);
  if (text === '') throw invalidRequest('messages: text content blocks must be non-empty');
}

function checkToolResult(block: Record<string, unknown>, where: string): void {
  requireString(block, 'tool_use_id', where);
  const content = block.content;
  if (content !== undefined && typeof content !== 'string') {
    if (!Array.isArray(content)) {
      throw invalidRequest(`${where}.content: Input should be a valid string or a valid list`);
    }
    content.forEach((c: unknown, k) => {
      const at = `${where}.content.${k}`;
      if (!isObject(c) || typeof c.type !== 'string') {
        throw invalidRequest(`${at}: Unable to extract tag using discriminator 'type'`);
      }
      if (!TOOL_RESULT_CONTENT_TYPES.includes(c.type)) {
        throw invalidRequest(
          `${at}.type: Input tag '${c.type}' found using 'type' does not match any of the expected tags: ${quoteList(TOOL_RESULT_CONTENT_TYPES)}`,
        );
      }
      if (c.type === 'text') checkTextBlock(c, at);
    });
  }
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') {
    throw invalidRequest(`${where}.is_error: Input should be a valid boolean`);
  }
}

function checkBlock(raw: unknown, role: string, where: string): RawBlock {
  if (!isObject(raw) || raw.type === undefined) {
    throw invalidRequest(`${where}: Unable to extract tag using discriminator 'type'`);
  }
  const type = raw.type;
  if (typeof type !== 'string' || !(BLOCK_TYPES as readonly string[]).includes(type)) {
    throw invalidRequest(`${where}.type: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: ${quoteList(BLOCK_TYPES)}`);
  }
  switch (type) {
    case 'text':
      checkTextBlock(raw, where);
      break;
    case 'image':
    case 'document':
      requireObject(raw, 'source', where);
      break;
    case 'tool_use':
    case 'server_tool_use':
      if (role !== 'assistant') throw invalidRequest(`${where}: \`${type}\` blocks can only be in \`assistant\` messages`);
      requireString(raw, 'id', where);
      requireString(raw, 'name', where);
      requireObject(raw, 'input', where);
      break;
    case 'tool_result':
      if (role !== 'user') throw invalidRequest(`${where}: \`tool_result\` blocks can only be in \`user\` messages`);
      checkToolResult(raw, where);
      break;
    case 'thinking':
      requireString(raw, 'thinking', where);
      requireString(raw, 'signature', where);
      break;
    case 'redacted_thinking':
      requireString(raw, 'data', where);
      break;
    default:
      break;
  }
  return raw as RawBlock;
}

function checkMessages(value: unknown): RawMessage[] {
  if (value === undefined) throw invalidRequest('messages: Field required');
  if (!Array.isArray(value)) throw invalidRequest('messages: Input should be a valid list');
  if (value.length === 0) throw invalidRequest('messages: at least one message is required');
  const messages = value.map((m: unknown, i): RawMessage => {
    const where = `messages.${i}`;
    if (!isObject(m)) throw invalidRequest(`${where}: Input should be a valid dictionary`);
    if (m.role === 'system') {
      throw invalidRequest('Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.');
    }
    if (m.role === undefined) throw invalidRequest(`${where}.role: Field required`);
    if (m.role !== 'user' && m.role !== 'assistant') {
      throw invalidRequest(`${where}.role: Input should be 'user' or 'assistant'`);
    }
    const content = m.content;
    if (content === undefined) throw invalidRequest(`${where}.content: Field required`);
    const isFinalAssistant = i === value.length - 1 && m.role === 'assistant';
    if (typeof content === 'string') {
      if (content === '' && !isFinalAssistant) {
        throw invalidRequest(`${where}: all messages must have non-empty content except for the optional final assistant message`);
      }
      return { role: m.role, content };
    }
    if (!Array.isArray(content)) throw invalidRequest(`${where}.content: Input should be a valid string or a valid list`);
    if (content.length === 0 && !isFinalAssistant) {
      throw invalidRequest(`${where}: all messages must have non-empty content except for the optional final assistant message`);
    }
    return { role: m.role, content: content.map((b: unknown, j) => checkBlock(b, m.role as string, `${where}.content.${j}`)) };
  });
  if (messages[0]?.role !== 'user') throw invalidRequest('messages: first message must use the "user" role');
  const last = messages.at(-1);
  if (last?.role === 'assistant') {
    const tail = typeof last.content === 'string' ? last.content : last.content.at(-1)?.text;
    if (typeof tail === 'string' && tail !== '' && /\s$/.test(tail)) {
      throw invalidRequest('messages: final assistant content cannot end with trailing whitespace');
    }
  }
  return messages;
}

function checkSystem(value: unknown): SystemBlock[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  if (!Array.isArray(value)) throw invalidRequest('system: Input should be a valid string or a valid list');
  return value.map((b: unknown, j) => {
    const where = `system.${j}`;
    if (!isObject(b)) throw invalidRequest(`${where}: Input should be a valid dictionary`);
    if (b.type !== 'text') throw invalidRequest(`${where}.type: Input should be 'text'`);
    checkTextBlock(b, where);
    return b as SystemBlock;
  });
}

function checkTools(value: unknown): ToolDefinition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidRequest('tools: Input should be a valid list');
  const seen = new Set<string>();
  return value.map((t: unknown, i) => {
    const where = `tools.${i}`;
    if (!isObject(t)) throw invalidRequest(`${where}: Input should be a valid dictionary`);
    const name = requireString(t, 'name', where);
    const custom = t.type === undefined || t.type === null || t.type === 'custom';
    if (custom) {
      if (!TOOL_NAME.test(name)) {
        throw invalidRequest(`${where}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
      }
      const schema = requireObject(t, 'input_schema', where);
      if (schema.type !== 'object') throw invalidRequest(`${where}.input_schema.type: Input should be 'object'`);
    } else if (typeof t.type !== 'string') {
      throw invalidRequest(`${where}.type: Input should be a valid string`);
    }
    if (seen.has(name)) throw invalidRequest('tools: Tool names must be unique.');
    seen.add(name);
    return t as ToolDefinition;
  });
}

function checkToolChoice(value: unknown, tools: readonly ToolDefinition[]): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw invalidRequest('tool_choice: Input should be a valid dictionary');
  const types = ['auto', 'any', 'tool', 'none'];
  if (typeof value.type !== 'string' || !types.includes(value.type)) {
    throw invalidRequest(`tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'`);
  }
  if (value.type === 'tool') requireString(value, 'name', 'tool_choice');
  if (value.type !== 'none' && value.type !== 'auto' && tools.length === 0) {
    throw invalidRequest('tool_choice may only be specified while providing tools.');
  }
}

function checkMaxTokens(value: unknown): number {
  if (value === undefined) throw invalidRequest('max_tokens: Field required');
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidRequest('max_tokens: Input should be a valid integer');
  }
  // 0 is valid: the SDK documents it as "populate the prompt cache without generating".
  if (value < 0) throw invalidRequest('max_tokens: Input should be greater than or equal to 0');
  return value;
}

function checkStopSequences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string')) {
    throw invalidRequest('stop_sequences: Input should be a valid list of strings');
  }
  return value as string[];
}

function checkScalars(body: Record<string, unknown>): void {
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream: Input should be a valid boolean');
  }
  const temperature = body.temperature;
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number') throw invalidRequest('temperature: Input should be a valid number');
    if (temperature < 0) throw invalidRequest('temperature: Input should be greater than or equal to 0');
    if (temperature > 1) throw invalidRequest('temperature: Input should be less than or equal to 1');
  }
}

function toolUseIds(turn: Turn): Map<string, { message: number; index: number }> {
  const ids = new Map<string, { message: number; index: number }>();
  for (const { block, message, index } of turn.blocks) {
    if (block.type === 'tool_use' && typeof block.id === 'string') ids.set(block.id, { message, index });
  }
  return ids;
}

/**
 * The pairing rules the API applies after merging turns: every `tool_result`
 * answers a `tool_use` of the assistant turn just before it, every `tool_use`
 * (except in a final prefill turn) is answered in the next turn, and results
 * come before any other content of their turn.
 */
function checkToolPairing(turns: readonly Turn[]): void {
  const seenToolUse = new Set<string>();
  turns.forEach((turn, t) => {
    if (turn.role === 'assistant') {
      for (const { block, message, index } of turn.blocks) {
        if (block.type !== 'tool_use') continue;
        const id = block.id as string;
        if (seenToolUse.has(id)) throw invalidRequest(`messages.${message}.content.${index}: \`tool_use\` ids must be unique`);
        seenToolUse.add(id);
      }
      const next = turns[t + 1];
      if (!next) return; // a final assistant turn is prefill
      const answered = new Set(next.blocks.filter(({ block }) => block.type === 'tool_result').map(({ block }) => block.tool_use_id as string));
      const missing = [...toolUseIds(turn)].filter(([id]) => !answered.has(id));
      const first = missing[0];
      if (first) {
        throw invalidRequest(
          `messages.${first[1].message}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.map(([id]) => id).join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
      return;
    }
    const previous = turns[t - 1];
    const available = previous ? toolUseIds(previous) : new Map<string, unknown>();
    const results = turn.blocks.filter(({ block }) => block.type === 'tool_result');
    const orphans = results.filter(({ block }) => !available.has(block.tool_use_id as string));
    const firstOrphan = orphans[0];
    if (firstOrphan) {
      throw invalidRequest(
        `messages.${firstOrphan.message}.content.${firstOrphan.index}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${orphans.map(({ block }) => block.tool_use_id as string).join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
    const answeredIds = new Set<string>();
    let sawOther = false;
    for (const { block, message, index } of turn.blocks) {
      if (block.type !== 'tool_result') {
        sawOther = true;
        continue;
      }
      const where = `messages.${message}.content.${index}`;
      if (sawOther) {
        throw invalidRequest(`${where}: \`tool_result\` blocks must come first in the \`user\` message content, before any other content`);
      }
      const id = block.tool_use_id as string;
      if (answeredIds.has(id)) throw invalidRequest(`${where}: found multiple \`tool_result\` blocks with id: ${id}`);
      answeredIds.add(id);
    }
  });
}

/** Validates a Messages API request body; throws a 400 `MockApiError` worded like the real API's. */
export function validateRequest(body: unknown, kind: RequestKind): ValidRequest {
  if (!isObject(body)) throw invalidRequest('body: Input should be a valid dictionary');
  if (body.model === undefined) throw invalidRequest('model: Field required');
  if (typeof body.model !== 'string' || body.model === '') throw invalidRequest('model: Input should be a valid string');
  const maxTokens = kind === 'create' ? checkMaxTokens(body.max_tokens) : 0;
  const messages = checkMessages(body.messages);
  const system = checkSystem(body.system);
  const tools = checkTools(body.tools);
  checkToolChoice(body.tool_choice, tools);
  checkScalars(body);
  const stopSequences = checkStopSequences(body.stop_sequences);
  checkToolPairing(mergeTurns(messages));
  const asked = parseThinking(body.thinking, maxTokens, kind);
  const thinking = alwaysThinks(body.model) && !asked.on ? { ...asked, on: true } : asked;
  if (thinking.on) checkCurrentCycle(messages);
  const sent = { system, tools, messages };
  const checked = checkThinkingBlocks(sent, thinking);
  return {
    model: body.model,
    maxTokens,
    stream: body.stream === true && kind === 'create',
    system,
    messages: checked.messages,
    turns: mergeTurns(checked.messages),
    thinking,
    droppedThinking: checked.dropped,
    prefix: prefixHash(sent, messages.length),
    tools,
    stopSequences,
    cacheControl: isObject(body.cache_control) ? body.cache_control : undefined,
  };
}
