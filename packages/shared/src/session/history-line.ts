import type { ChatMessage, HistoryEntry } from '../schemas/messages.js';

/** Parsed history lines, with the JSON length of each entry's message (see {@link parseHistoryLines}). */
export interface ParsedHistory {
  entries: HistoryEntry[];
  /**
   * The length of each entry's message JSON, read off the line it came from: a request's token estimate
   * sums these instead of serializing the session's history again at every step. Keyed by the message
   * object, so a message working memory changed (a cut result) is simply not found.
   */
  messageChars: ReadonlyMap<ChatMessage, number>;
}

/**
 * Parses stored history lines (`{"step":n,"message":…}`, as the commit writes them). A line's message length
 * is the line's less that wrapper: exact for the commit's lines, within a few characters for a user turn a
 * script wrote with its fields in another order, which is close enough for an estimate.
 */
export function parseHistoryLines(lines: readonly string[]): ParsedHistory {
  const entries: HistoryEntry[] = [];
  const messageChars = new Map<ChatMessage, number>();
  for (const line of lines) {
    const entry = JSON.parse(line) as HistoryEntry;
    entries.push(entry);
    // `{"step":` + the step + `,"message":` + the message + `}`
    if (typeof entry.message === 'object' && entry.message !== null) messageChars.set(entry.message, line.length - 20 - String(entry.step).length);
  }
  return { entries, messageChars };
}
