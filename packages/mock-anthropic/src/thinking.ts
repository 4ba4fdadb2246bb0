import { createHash, createHmac } from 'node:crypto';
import { invalidRequest } from './api-error.js';
import { contentBlocks, type RawMessage } from './conversation.js';

/**
 * Thinking as the current models run it: a request turns thinking on (`enabled` with `budget_tokens`, or
 * `adaptive`), each thinking block carries a signature, and a block sent back is checked the way the API
 * documents "preserved thinking":
 * - the signature must be intact (the block's text unmodified), else 400;
 * - the prefix check: `system`, `tools` and everything before the block must be what was sent when the block
 *   was produced; a block that fails it is answered with a 400 (`prefix_mismatch_behavior: "error"`, the
 *   default) or dropped from the request and reported in `input_transformations` (`"drop_block"`);
 * - with thinking on, the assistant message of the current tool-use cycle (the one whose `tool_use` blocks the
 *   final user turn answers) must start with its thinking block, as it was returned.
 */
export interface ThinkingRequest {
  on: boolean;
  /** `enabled` requests only. */
  budgetTokens?: number;
  mismatch: 'error' | 'drop_block';
}

export interface DroppedThinking {
  type: 'thinking_dropped';
  path: string;
  reason: 'prefix_binding_mismatch';
}

// The mock's signing key: fixed, so a restarted mock still verifies the blocks it signed before.
const SIGNING_KEY = 'agentq-mock-anthropic-thinking-v1';
const SIGNATURE_PREFIX = 'mocksig1';

/**
 * Models whose thinking is adaptive and always on (the models overview: Fable and Mythos 5.x, Opus 5.5):
 * they think whether or not the request asks, and `disabled` does not turn it off.
 */
export function alwaysThinks(model: string): boolean {
  return /^claude-(fable|mythos)-5/.test(model) || model.startsWith('claude-opus-5-5');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseThinking(value: unknown, maxTokens: number, kind: 'create' | 'count_tokens'): ThinkingRequest {
  if (value === undefined || value === null) return { on: false, mismatch: 'error' };
  if (!isObject(value)) throw invalidRequest('thinking: Input should be a valid dictionary');
  const type = value.type;
  if (type !== 'enabled' && type !== 'adaptive' && type !== 'disabled') {
    throw invalidRequest(
      `thinking.type: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`,
    );
  }
  let mismatch: ThinkingRequest['mismatch'] = 'error';
  const binding = value.block_binding;
  if (binding !== undefined && binding !== null) {
    if (!isObject(binding)) throw invalidRequest('thinking.block_binding: Input should be a valid dictionary');
    const behaviour = binding.prefix_mismatch_behavior;
    if (behaviour !== undefined && behaviour !== null && behaviour !== 'error' && behaviour !== 'drop_block') {
      throw invalidRequest("thinking.block_binding.prefix_mismatch_behavior: Input should be 'error' or 'drop_block'");
    }
    if (behaviour === 'drop_block') mismatch = 'drop_block';
  }
  if (type === 'disabled') return { on: false, mismatch };
  if (type === 'adaptive') return { on: true, mismatch };
  const budget = value.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget)) throw invalidRequest('thinking.enabled.budget_tokens: Input should be a valid integer');
  if (budget < 1024) throw invalidRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  if (kind === 'create' && budget >= maxTokens) {
    throw invalidRequest(
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    );
  }
  return { on: true, budgetTokens: budget, mismatch };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (key === 'cache_control') continue;
    out[key] = canonical(value[key]);
  }
  return out;
}

export interface PrefixSource {
  system: readonly Record<string, unknown>[];
  tools: readonly Record<string, unknown>[];
  messages: readonly RawMessage[];
}

/**
 * Hash of everything before block `block` of message `message` (cache breakpoints ignored: moving a
 * breakpoint is not a change of content). `message === messages.length` hashes the whole request: the
 * prefix of the block the response will open with.
 */
export function prefixHash(req: PrefixSource, message: number, block = 0): string {
  const hash = createHash('sha256');
  hash
    .update(JSON.stringify(canonical(req.system)))
    .update('\u0000')
    .update(JSON.stringify(canonical(req.tools)));
  for (let i = 0; i < message && i < req.messages.length; i++) {
    const m = req.messages[i] as RawMessage;
    hash.update(`\u0000${m.role}:`).update(JSON.stringify(canonical(contentBlocks(m.content))));
  }
  const current = req.messages[message];
  if (current && block > 0) {
    hash.update(`\u0000${current.role}:`).update(JSON.stringify(canonical(contentBlocks(current.content).slice(0, block))));
  }
  return hash.digest('hex').slice(0, 32);
}

function mac(prefix: string, thinking: string): string {
  return createHmac('sha256', SIGNING_KEY).update(prefix).update('\u0000').update(thinking).digest('base64url');
}

/** The signature of a block the mock produces: binds its text and the prefix it was produced after. */
export function signThinking(prefix: string, thinking: string): string {
  return `${SIGNATURE_PREFIX}.${prefix}.${mac(prefix, thinking)}`;
}

type Verdict = 'ok' | 'forged' | 'prefix_mismatch';

export function verifyThinking(signature: string, thinking: string, actualPrefix: string): Verdict {
  const [tag, prefix, sig] = signature.split('.');
  if (tag !== SIGNATURE_PREFIX || !prefix || !sig || sig !== mac(prefix, thinking)) return 'forged';
  return prefix === actualPrefix ? 'ok' : 'prefix_mismatch';
}

/**
 * Checks every thinking block a request sends back. Returns the request's messages with the blocks the
 * prefix check dropped removed (when the request chose `drop_block`), and what was dropped.
 */
export function checkThinkingBlocks(req: PrefixSource, thinking: ThinkingRequest): { messages: RawMessage[]; dropped: DroppedThinking[] } {
  const dropped: DroppedThinking[] = [];
  const messages = req.messages.map((m, i): RawMessage => {
    if (m.role !== 'assistant' || typeof m.content === 'string') return m;
    let droppingRun = false;
    const kept = m.content.filter((block, j) => {
      if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
        droppingRun = false;
        return true;
      }
      if (droppingRun) {
        dropped.push({ type: 'thinking_dropped', path: `messages.${i}.content.${j}`, reason: 'prefix_binding_mismatch' });
        return false;
      }
      if (block.type === 'redacted_thinking') return true;
      const verdict = verifyThinking(String(block.signature), String(block.thinking), prefixHash(req, i, j));
      if (verdict === 'forged') throw invalidRequest(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
      if (verdict === 'ok') return true;
      if (thinking.mismatch === 'error') {
        throw invalidRequest(
          `messages.${i}.content.${j}: The thinking block failed the prefix check: \`system\`, \`tools\` or the messages before it differ from the request it was produced in. Send the conversation append-only, or set \`thinking.block_binding.prefix_mismatch_behavior\` to "drop_block".`,
        );
      }
      // A removal takes the rest of the turn's consecutive thinking blocks with it.
      droppingRun = true;
      dropped.push({ type: 'thinking_dropped', path: `messages.${i}.content.${j}`, reason: 'prefix_binding_mismatch' });
      return false;
    });
    return kept.length === m.content.length ? m : { role: m.role, content: kept };
  });
  return { messages, dropped };
}

/**
 * With thinking on, the assistant message whose tool calls the final user turn answers must come back
 * starting with its thinking block: within a tool-use cycle the model continues from its own reasoning.
 */
export function checkCurrentCycle(messages: readonly RawMessage[]): void {
  let i = messages.length - 1;
  while (i >= 0 && messages[i]?.role === 'user') i--;
  const answers = messages.slice(i + 1).some((m) => contentBlocks(m.content).some((b) => b.type === 'tool_result'));
  const assistant = messages[i];
  if (!answers || !assistant) return;
  const first = contentBlocks(assistant.content)[0];
  if (first?.type === 'thinking' || first?.type === 'redacted_thinking') return;
  throw invalidRequest(
    `messages.${i}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
  );
}
