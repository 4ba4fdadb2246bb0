import { createHash } from 'node:crypto';

/** The API's rule for a request's `custom_id` in a batch. */
export const CUSTOM_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The `custom_id` of attempt `attempt` of a step's model call: deterministic, so a re-run step parks the same
 * call again (a no-op) instead of a second one. Session ids longer than the 64-character limit allows are
 * replaced by a digest; the call's payload in Redis maps the id back to its session and step.
 */
export function batchCustomId(sessionId: string, step: number, attempt: number): string {
  const suffix = `-s${step}-b${attempt}`;
  const id = sessionId.length + suffix.length <= 64 ? sessionId : `h${createHash('sha256').update(sessionId).digest('hex').slice(0, 40)}`;
  return `${id}${suffix}`;
}
