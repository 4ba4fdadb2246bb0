import { z } from 'zod';
import { SessionInput } from './content-blocks.js';
import { LimitsInput } from './limits.js';
import { Urgency } from './session.js';

/** The argument of `producer.start` and one line of an `agentq enqueue` file. */
export const StartSessionInput = z
  .object({
    agent: z.string().min(1),
    /** The task: a string, or content blocks (text, images and documents by base64 or URL). */
    input: SessionInput,
    tenant: z.string().min(1).max(128).optional(),
    limits: LimitsInput.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    /** `batch` sends the session's model calls through the Message Batches lane (half price, slower); default: the agent's. */
    urgency: Urgency.optional(),
    /** Caller-chosen id; makes `start` idempotent. Letters, digits, `_` and `-` only. */
    sessionId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'sessionId may hold only letters, digits, "_" and "-"')
      .refine((id) => !/^\d+$/.test(id), 'sessionId may not be all digits')
      .optional(),
  })
  .strict();
export type StartSessionInput = z.input<typeof StartSessionInput>;
