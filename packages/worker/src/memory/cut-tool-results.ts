import type { ChatMessage, ContentBlock } from '@agentq/shared';

/**
 * Cuts long `tool_result` contents for working memory, with a note of how much was cut. History keeps
 * every result whole; only what the model is sent is bounded. Returns the same object when nothing is cut.
 */
export function cutToolResults(message: ChatMessage, maxChars: number): ChatMessage {
  if (typeof message.content === 'string' || message.role !== 'user') return message;
  let changed = false;
  const content = message.content.map((block): ContentBlock => {
    if (block.type !== 'tool_result') return block;
    const cut = cutContent(block.content, maxChars);
    if (cut === block.content) return block;
    changed = true;
    return { ...block, content: cut };
  });
  return changed ? { ...message, content } : message;
}

function cutContent(content: unknown, maxChars: number): unknown {
  if (typeof content === 'string') return content.length > maxChars ? cutText(content, maxChars) : content;
  if (!Array.isArray(content)) return content;
  const total = content.reduce(
    (sum: number, b: { type?: string; text?: unknown }) => sum + (b.type === 'text' && typeof b.text === 'string' ? b.text.length : 0),
    0,
  );
  if (total <= maxChars) return content;
  // Keep non-text parts (images) as they are and cut the text parts together into one block.
  const text = content
    .filter((b: { type?: string; text?: unknown }) => b.type === 'text' && typeof b.text === 'string')
    .map((b: { text: string }) => b.text)
    .join('\n');
  const others = content.filter((b: { type?: string }) => b.type !== 'text');
  return [{ type: 'text', text: cutText(text, maxChars) }, ...others];
}

export function cutText(text: string, maxChars: number): string {
  const removed = text.length - maxChars;
  return `${text.slice(0, maxChars)}\n[agentq: ${removed} of ${text.length} characters cut from this tool result in working memory; the full result is kept in the session history]`;
}
