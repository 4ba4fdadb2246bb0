import { rememberJsonChars } from '../schemas/json-chars.js';
import type { HistoryEntry } from '../schemas/messages.js';

/**
 * Parses one stored history line (`{"step":n,"message":…}`, as the commit writes it) and records the length of
 * its message's JSON, which the line holds verbatim: an estimate of the request need not serialize it again.
 */
export function parseHistoryLine(line: string): HistoryEntry {
  const entry = JSON.parse(line) as HistoryEntry;
  const prefix = `{"step":${entry.step},"message":`;
  // A line of another shape (other fields, another order: a user turn written by a script) is not recorded.
  if (typeof entry.message === 'object' && entry.message !== null && Object.keys(entry).length === 2 && line.startsWith(prefix)) {
    rememberJsonChars(entry.message, line.length - prefix.length - 1);
  }
  return entry;
}
