import type { ChatMessage } from '@agentq/shared';

/**
 * Where the recent-message window may start: at entry 1 (nothing cut) or at an assistant message that
 * follows a user message. Cutting there drops whole exchanges: an assistant's `tool_use` blocks are always
 * answered by the user message right after it, so a pair is either wholly kept or wholly dropped, and the
 * window (after the pinned user task) opens with an assistant message, as the API's ordering requires.
 */
export function windowStarts(messages: readonly ChatMessage[]): number[] {
  const starts = messages.length > 1 ? [1] : [];
  for (let i = 2; i < messages.length; i++) {
    if (messages[i]?.role === 'assistant' && messages[i - 1]?.role === 'user') starts.push(i);
  }
  return starts;
}

export interface WindowPlan {
  /** Index of the first history entry sent after the pinned task (1 = nothing cut). */
  start: number;
  /** Entries `[from, to]` to fold into the summary before this step, when the window overflowed. */
  fold?: { from: number; to: number };
  /** Estimated tokens of the window, after the cut. */
  windowTokens: number;
}

export interface WindowPlanInput {
  messages: readonly ChatMessage[];
  /** Estimated tokens per history entry (index 0, the pinned task, is not counted). */
  tokens: readonly number[];
  /** Last entry already folded into the summary (0 = none). */
  foldedThrough: number;
  /** Token budget of the window; undefined = no window, send everything. */
  windowTokens: number | undefined;
  /** After a fold the window holds at most `foldTo * windowTokens`. */
  foldTo: number;
}

/**
 * Decides the window of one step. The window runs from just after the summary to the newest message; when
 * that overflows `windowTokens`, the oldest exchanges are folded until it fits `foldTo * windowTokens`
 * (never dropping the newest exchange, however large).
 */
export function planWindow(input: WindowPlanInput): WindowPlan {
  const { messages, tokens, windowTokens } = input;
  const starts = windowStarts(messages);
  const sumFrom = suffixSums(tokens, messages.length);
  if (starts.length === 0) return { start: 1, windowTokens: 0 };
  if (windowTokens === undefined) return { start: 1, windowTokens: sumFrom(1) };
  // The window begins right after what the summary holds; if that is not a legal start (it always is when
  // folds end at legal starts), step back so nothing falls between summary and window.
  const base = [...starts].reverse().find((s) => s <= input.foldedThrough + 1) ?? 1;
  if (sumFrom(base) <= windowTokens) return { start: base, windowTokens: sumFrom(base) };
  const target = input.foldTo * windowTokens;
  const candidates = starts.filter((s) => s > base);
  const start = candidates.find((s) => sumFrom(s) <= target) ?? candidates.at(-1) ?? base;
  if (start === base) return { start, windowTokens: sumFrom(start) };
  return { start, fold: { from: base, to: start - 1 }, windowTokens: sumFrom(start) };
}

function suffixSums(tokens: readonly number[], length: number): (from: number) => number {
  const sums = new Array<number>(length + 1).fill(0);
  for (let i = length - 1; i >= 1; i--) sums[i] = (sums[i + 1] ?? 0) + (tokens[i] ?? 0);
  return (from) => sums[from] ?? 0;
}
