import { AgentqError } from '@agentq/shared';
import { z } from 'zod';
import type Anthropic from '@anthropic-ai/sdk';

/** A model's reply, as the SDK parses it. */
export type ModelMessage = Anthropic.Message;

/** No context window is larger than this; an input count above it is a lie, not a bill. */
export const MAX_INPUT_TOKENS_PER_CALL = 2_000_000;
const MAX_BODY_CHARS_IN_MESSAGE = 200;

const Count = z.number().finite();

/**
 * What agentq relies on in a Messages API response. Unknown fields and block types pass through untouched
 * (the response is checkpointed and sent back as received), but every field the step reads is checked.
 */
const Usage = z.looseObject({
  input_tokens: Count,
  output_tokens: Count,
  cache_read_input_tokens: Count.nullish(),
  cache_creation_input_tokens: Count.nullish(),
});

const Block = z.looseObject({ type: z.string() }).superRefine((block, ctx) => {
  const b = block as Record<string, unknown>;
  const need = (field: string, ok: boolean) => {
    if (!ok) ctx.addIssue({ code: 'custom', message: `a ${block.type} block needs ${field}`, path: [field] });
  };
  switch (block.type) {
    case 'text':
      need('text (string)', typeof b.text === 'string');
      break;
    case 'tool_use':
      need('id (non-empty string)', typeof b.id === 'string' && b.id.length > 0);
      need('name (string)', typeof b.name === 'string');
      need('input (object)', typeof b.input === 'object' && b.input !== null && !Array.isArray(b.input));
      break;
    case 'thinking':
      need('thinking (string)', typeof b.thinking === 'string');
      need('signature (string)', typeof b.signature === 'string');
      break;
    case 'redacted_thinking':
      need('data (string)', typeof b.data === 'string');
      break;
    default:
  }
});

const Message = z.looseObject({
  type: z.literal('message'),
  id: z.string(),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(Block),
  stop_reason: z.string().nullable(),
  usage: Usage,
});

export type UsageField = 'input_tokens' | 'output_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens';

export interface ParsedModelResponse {
  message: ModelMessage;
  /** Usage fields that were negative, fractional or beyond what is possible, with the values the API sent. */
  clamped?: Partial<Record<UsageField, number>>;
}

/**
 * Validates a response before anything reads it. A body that is not a Message (`{}`, an HTML page, an error
 * body sent with 200, a missing `usage`) throws `model_malformed_response`. Usage that cannot be true is
 * clamped (never below 0, output never above `maxTokens`, input never above any context window) and reported,
 * so a lying upstream cannot drive a budget negative.
 */
export function parseModelResponse(data: unknown, maxTokens: number): ParsedModelResponse {
  const parsed = Message.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
      .join('; ');
    throw new AgentqError('model_malformed_response', `the model API answered 200 with something that is not a message (${issues}): ${describeBody(data)}`, {
      details: { issues: parsed.error.issues.length },
    });
  }
  const message = parsed.data as unknown as ModelMessage;
  const usage = parsed.data.usage;
  const clamped: Partial<Record<UsageField, number>> = {};
  const clamp = (field: UsageField, max: number) => {
    const raw = usage[field];
    if (raw === null || raw === undefined) return;
    const fixed = Math.min(max, Math.max(0, Math.round(raw)));
    if (fixed !== raw) {
      clamped[field] = raw;
      (message.usage as unknown as Record<string, number>)[field] = fixed;
    }
  };
  clamp('input_tokens', MAX_INPUT_TOKENS_PER_CALL);
  clamp('cache_read_input_tokens', MAX_INPUT_TOKENS_PER_CALL);
  clamp('cache_creation_input_tokens', MAX_INPUT_TOKENS_PER_CALL);
  clamp('output_tokens', Math.max(0, maxTokens));
  return Object.keys(clamped).length > 0 ? { message, clamped } : { message };
}

/** A response body that could not be parsed as JSON at all (an HTML page sent as application/json). */
export function unparsableBody(cause: unknown): AgentqError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AgentqError('model_malformed_response', `the model API answered 200 with a body that is not JSON (${reason})`, { cause });
}

function describeBody(data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const shown = (text ?? String(data)).slice(0, MAX_BODY_CHARS_IN_MESSAGE);
  return (text ?? '').length > MAX_BODY_CHARS_IN_MESSAGE ? `${shown}…` : shown;
}
