import { z } from 'zod';
import { parseDuration } from '../../stats/index.js';
import { HttpError } from '../http/http-error.js';
import { parseInput } from '../http/validate.js';

export const DEFAULT_STATS_WINDOW = '24h';

const StatsQuery = z.object({
  since: z.string().max(40).optional(),
  agent: z.string().max(200).optional(),
});

/**
 * `?since=` as a duration back from now (`15m`, `1h`, `7d`), milliseconds since the epoch, or an ISO time.
 * Returns the start in ms and the text to show back.
 */
export function parseStatsQuery(query: unknown, now = Date.now()): { since: number; label: string; agent: string | undefined } {
  const parsed = parseInput(StatsQuery, query, 'query');
  const text = parsed.since?.trim() || DEFAULT_STATS_WINDOW;
  const agent = parsed.agent?.trim() || undefined;
  const duration = parseDuration(text);
  if (duration !== undefined) return { since: now - duration, label: text, agent };
  if (/^\d{10,}$/.test(text)) return { since: Number(text), label: text, agent };
  const iso = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(iso)) return { since: iso, label: text, agent };
  throw new HttpError(400, 'invalid_payload', `invalid query: since: "${text}" is not a duration (15m, 1h, 7d), epoch milliseconds or an ISO time`);
}
