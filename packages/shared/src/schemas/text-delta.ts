import { z } from 'zod';

/**
 * A piece of the text a streaming model call is producing. Not durable: deltas live in a short, capped,
 * expiring stream beside the session's events; the full answer is always in the durable events and history.
 */
export const TextDelta = z.object({
  type: z.literal('text_delta'),
  sessionId: z.string(),
  step: z.number().int().nonnegative(),
  /** The content block of the model's answer the text belongs to. */
  index: z.number().int().nonnegative(),
  text: z.string(),
  timestamp: z.number(),
  /** Entry id in the delta stream (not an event id: never use it to resume). */
  id: z.string().optional(),
});
export type TextDelta = z.infer<typeof TextDelta>;
