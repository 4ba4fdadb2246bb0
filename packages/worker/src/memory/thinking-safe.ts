import type { ChatMessage, ContentBlock, HistoryEntry } from '@agentq/shared';

const THINKING = new Set(['thinking', 'redacted_thinking']);

export interface ThinkingSafeWindow {
  /** The window's entries, with the thinking a fold invalidated taken out. */
  entries: HistoryEntry[];
  /**
   * True when an entry still carries thinking produced before the fold: the tool-use cycle that was current
   * at the fold, which the API wants back verbatim. Its prefix changed, so the request asks the API to drop it.
   */
  carriesStaleThinking: boolean;
}

/**
 * Keeps a windowed conversation valid for the API's thinking rules ("preserved thinking"): a thinking block
 * is valid only while everything before it is what was sent when it was produced. Between folds working
 * memory is append-only, so every block stays valid. A fold (at step `foldedAt`) replaces the summary and
 * cuts the window: every block produced before it lost its prefix. Those blocks are removed here, the same
 * way at every later step (so the blocks produced after the fold keep theirs), except in the last assistant
 * message produced before the fold: it was the current tool-use cycle at the fold, sent verbatim then (the
 * API requires it), so it is sent verbatim afterwards too and the API is asked to drop its thinking.
 */
export function thinkingSafeWindow(entries: readonly HistoryEntry[], foldedAt: number | undefined): ThinkingSafeWindow {
  if (foldedAt === undefined) return { entries: [...entries], carriesStaleThinking: false };
  let cycleAtFold = -1;
  entries.forEach((e, i) => {
    if (e.step < foldedAt && e.message.role === 'assistant') cycleAtFold = i;
  });
  let carriesStaleThinking = false;
  const out = entries.map((entry, i): HistoryEntry => {
    if (entry.step >= foldedAt || entry.message.role !== 'assistant' || !hasThinking(entry.message)) return entry;
    if (i === cycleAtFold) {
      carriesStaleThinking = true;
      return entry;
    }
    return { ...entry, message: withoutThinking(entry.message) };
  });
  return { entries: out, carriesStaleThinking };
}

function hasThinking(message: ChatMessage): boolean {
  return typeof message.content !== 'string' && message.content.some((b) => THINKING.has(b.type));
}

function withoutThinking(message: ChatMessage): ChatMessage {
  const content = (message.content as ContentBlock[]).filter((b) => !THINKING.has(b.type));
  // An assistant message of thinking only (rare) keeps a marker: the API refuses empty content.
  return { ...message, content: content.length > 0 ? content : [{ type: 'text', text: '[agentq: reasoning omitted]' }] };
}
