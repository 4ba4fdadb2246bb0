import { SessionStatus } from '@agentq/shared';
import { z } from 'zod';
import { parseInput } from '../http/validate.js';

const blank = (value: unknown) => (value === '' ? undefined : value);

/** `?status=&agent=&tenant=&limit=` of the sessions list, page and API alike. Blank fields mean "any". */
export const SessionFilters = z.object({
  status: z.preprocess(blank, SessionStatus.optional()),
  agent: z.preprocess(blank, z.string().max(200).optional()),
  tenant: z.preprocess(blank, z.string().max(200).optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(1000).default(100)),
});
export type SessionFilters = z.infer<typeof SessionFilters>;

export function parseSessionFilters(query: unknown): SessionFilters {
  return parseInput(SessionFilters, query, 'query');
}

/** The filters as `producer.list` options (no undefined keys, for exactOptionalPropertyTypes-style callers). */
export function listOptions(filters: SessionFilters): { status?: SessionStatus; agent?: string; tenant?: string; limit: number } {
  return {
    limit: filters.limit,
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.agent ? { agent: filters.agent } : {}),
    ...(filters.tenant ? { tenant: filters.tenant } : {}),
  };
}
