import type { ChatMessage } from '@agentq/shared';

type Block = { type: string; id?: string; text?: string };

/** The first tool_use id that appears twice in one turn, if any: such a turn cannot be answered unambiguously. */
export function duplicateToolUseId(content: readonly Block[]): string | undefined {
  const seen = new Set<string>();
  for (const block of content) {
    if (block.type !== 'tool_use' || block.id === undefined) continue;
    if (seen.has(block.id)) return block.id;
    seen.add(block.id);
  }
  return undefined;
}

/**
 * What of a turn cut at `max_tokens` may be kept: everything but its tool calls (the last one's input may be
 * cut mid-value, and a call is never run from a truncated turn) and empty text blocks (the API rejects them).
 */
export function keptOfCutTurn(content: readonly Block[]): { kept: Block[]; droppedToolUses: number } {
  const kept = content.filter((b) => b.type !== 'tool_use' && !(b.type === 'text' && !b.text?.trim()));
  return { kept, droppedToolUses: content.filter((b) => b.type === 'tool_use').length };
}

/** True when a turn carries text the conversation can continue from. */
export function hasText(content: readonly Block[]): boolean {
  return content.some((b) => b.type === 'text' && Boolean(b.text?.trim()));
}

/** A message with no content: never committed, since the next call would be refused for it. */
export function isEmptyMessage(message: ChatMessage): boolean {
  return Array.isArray(message.content) ? message.content.length === 0 : message.content.trim() === '';
}
