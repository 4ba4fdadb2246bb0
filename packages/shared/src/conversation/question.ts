import { z } from 'zod';

/** One `ask_human` question of a session, stored by its tool_use id. */
export const Question = z.object({
  toolUseId: z.string(),
  step: z.number().int().nonnegative(),
  question: z.string(),
  askedAt: z.number(),
  expiresAt: z.number(),
  answer: z.string().optional(),
  answeredBy: z.string().optional(),
  answeredAt: z.number().optional(),
});
export type Question = z.infer<typeof Question>;

/** The built-in tool through which a model asks a person; see `defineAgent({ askHuman: true })`. */
export const ASK_HUMAN_TOOL = 'ask_human';

/** Longest message a user can send (characters); a longer one is refused, not cut. */
export const MAX_MESSAGE_CHARS = 100_000;
