import type { StopReason } from './wire-types.js';

/** A tool call in a script entry. */
export interface ScriptToolCall {
  tool: string;
  input?: Record<string, unknown>;
}

/** A server tool the model uses in the turn (it must be declared in the request): the mock answers its result block. */
export interface ScriptServerToolUse {
  tool: 'web_search' | 'web_fetch' | 'code_execution';
  input?: Record<string, unknown>;
}

/** One turn's answer: server tool uses, then text, then a tool call; `byModel` answers differently per model id. */
export interface ScriptAnswerEntry {
  text?: string;
  tool?: string;
  input?: Record<string, unknown>;
  stop_reason?: StopReason;
  thinking?: string;
  server?: ScriptServerToolUse | ScriptServerToolUse[];
  byModel?: Record<string, ScriptAnswerEntry | ScriptErrorEntry>;
}

/** A turn that fails `times` times (default 1) before answering `then` (default text "OK"). */
export interface ScriptErrorEntry {
  error: {
    status: number;
    type?: string;
    message?: string;
    times?: number;
    retryAfterSec?: number;
    midStream?: boolean;
  };
  then?: ScriptAnswerEntry | Array<ScriptToolCall | { text: string }>;
}

/** An entry answers one turn; an array answers it with several blocks (parallel tool calls). */
export type ScriptEntry = ScriptAnswerEntry | ScriptErrorEntry | Array<ScriptToolCall | { text: string }>;

/**
 * The text to put in the first user message to script the mock's answers.
 *
 * @example
 * client.messages.create({ messages: [{ role: 'user', content: mockScript([{ tool: 'ls', input: {} }, { text: 'done' }]) }], ... })
 */
export function mockScript(entries: readonly ScriptEntry[], opts: { loop?: boolean } = {}): string {
  return JSON.stringify(opts.loop ? { script: entries, loop: true } : { script: entries });
}
