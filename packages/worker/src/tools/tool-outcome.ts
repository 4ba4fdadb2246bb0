import type { ErrorCode, InputBlock } from '@agentq/shared';

/** What one tool_use ended with; checkpointed under its id and turned into a `tool_result` block. */
export interface ToolOutcome {
  toolUseId: string;
  tool: string;
  /** The result as text (for a content-block result: its text, with a marker per image or document). */
  content: string;
  /** A result a tool gave as content blocks (`toolContent`), sent to the model as they are. */
  blocks?: InputBlock[];
  isError: boolean;
  /** Set for failures: what went wrong, for stats and the event log. */
  errorCode?: ErrorCode;
  attempts: number;
  durationMs: number;
  /** The tool returned, but its value could not be serialised: the call completed, its result is not kept. */
  unrecordable?: boolean;
  /** Set when the result was cut to `maxToolResultBytes` at the store: its size before the cut, in bytes. */
  originalBytes?: number;
}

export function toToolResultBlock(outcome: ToolOutcome): { type: 'tool_result'; tool_use_id: string; content: string | InputBlock[]; is_error?: boolean } {
  return outcome.isError
    ? { type: 'tool_result', tool_use_id: outcome.toolUseId, content: outcome.content, is_error: true }
    : { type: 'tool_result', tool_use_id: outcome.toolUseId, content: outcome.blocks ?? outcome.content };
}

export function errorOutcome(toolUseId: string, tool: string, code: ErrorCode, content: string, attempts = 0, durationMs = 0): ToolOutcome {
  return { toolUseId, tool, content, isError: true, errorCode: code, attempts, durationMs };
}
