import type { ChatMessage, ContentBlock, HistoryEntry, Limits } from '@agentq/shared';
import { cutToolResults } from './cut-tool-results.js';

export interface WorkingMemory {
  /** Extra system text (the rolling summary and notes), sent as a system block after the agent's cached one. */
  systemNotes: string[];
  messages: ChatMessage[];
  /** The messages carry thinking whose prefix a fold changed: the request asks the API to drop it. */
  dropStaleThinking?: boolean;
  /** This step changed the prefix on purpose (a fold or a cut): the conversation cache cannot hit. */
  folded?: boolean;
  /** Estimated tokens of this prompt, when a window sized it: saved with the model call to calibrate the next step's. */
  promptEstimate?: number;
  /** When a window sized it: the last history entry the summary holds, where the next step's load starts. */
  windowFrom?: number;
}

/** Inside the pinned task when turns were cut, so the model knows why the conversation jumps. */
export const BRIDGE_NOTE = '[agentq: earlier turns of this session are summarised in the system prompt]';

export interface WorkingMemoryView {
  /** Index (in the entries given) of the first entry sent after the pinned task. @defaultValue 1 */
  start?: number;
  /**
   * The entries given are `history[0]`, then `history[offset + 1]` onwards (a load that skipped what the
   * summary holds). @defaultValue 0 (the whole history)
   */
  offset?: number;
  /** The rolling summary of entries before `start`. */
  summary?: string;
  /** Entries that left the window without reaching the summary (the summary call failed). */
  dropped?: { from: number; to: number };
}

/**
 * What the model is sent at a step: the pinned task (entry 0), then history from `view.start` on, with long
 * tool results cut to `memory.maxToolResultChars`. The summary and any truncation note go to `systemNotes`.
 */
export function buildWorkingMemory(history: readonly HistoryEntry[], limits: Limits, view: WorkingMemoryView = {}): WorkingMemory {
  const start = view.start ?? 1;
  const maxChars = limits.memory.maxToolResultChars;
  const first = history[0];
  const messages: ChatMessage[] = [];
  if (first) messages.push(start + (view.offset ?? 0) > 1 ? withBridge(first.message) : first.message);
  for (let i = Math.max(1, start); i < history.length; i++) {
    messages.push(cutToolResults((history[i] as HistoryEntry).message, maxChars));
  }
  const systemNotes: string[] = [];
  if (view.summary) {
    systemNotes.push(`<session_summary>\nSummary of earlier turns of this session (older turns are no longer shown):\n${view.summary}\n</session_summary>`);
  }
  if (view.dropped) {
    const count = view.dropped.to - view.dropped.from + 1;
    systemNotes.push(
      `[agentq: ${count} earlier message(s) were cut from this conversation to fit the context window and could not be summarised; ask again or re-run a tool if you need something from them]`,
    );
  }
  return { systemNotes, messages };
}

function withBridge(message: ChatMessage): ChatMessage {
  // A second text block keeps the task's own first block (and so the mock's script and any cache key) intact.
  const bridge: ContentBlock = { type: 'text', text: BRIDGE_NOTE };
  const content: ContentBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }, bridge] : [...message.content, bridge];
  return { ...message, content };
}
