/**
 * The Messages API shapes agentq stores and sends. Kept structural (no SDK import) so that every package
 * can read history without depending on the SDK; the worker checks them against the SDK's own types.
 */
export interface TextBlock {
  type: 'text';
  text: string;
  [key: string]: unknown;
}
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  [key: string]: unknown;
}
export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  /** Text, or content blocks (text, images, documents). */
  content: string | Array<{ type: string; [key: string]: unknown }>;
  is_error?: boolean;
}
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | { type: string; [key: string]: unknown };

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

/** One entry of a session's history list: the message and the step that produced it. */
export interface HistoryEntry {
  step: number;
  message: ChatMessage;
}

export function isToolUse(block: ContentBlock): block is ToolUseBlock {
  return block.type === 'tool_use';
}
export function isToolResult(block: ContentBlock): block is ToolResultBlock {
  return block.type === 'tool_result';
}
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return content
    .filter((b): b is TextBlock => b.type === 'text')
    .map((b) => b.text)
    .join('');
}
