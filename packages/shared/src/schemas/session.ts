import { z } from 'zod';
import { ErrorCode } from '../errors/error-codes.js';
import { LimitsInput } from './limits.js';
import { Usage } from './usage.js';

export const TERMINAL_STATUSES = ['completed', 'failed', 'loop_detected', 'budget_exceeded', 'cancelled'] as const;
/**
 * Non-terminal statuses with no job behind them, legitimately: the session waits for people (approval
 * decisions, or a user's message) and a decision, a message, a timeout job or a cancel moves it on.
 */
export const PARKED_STATUSES = ['awaiting_approval', 'awaiting_input'] as const;
export const SessionStatus = z.enum(['queued', 'running', ...PARKED_STATUSES, ...TERMINAL_STATUSES]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Whether the session waits for people, with no job behind it (see {@link PARKED_STATUSES}). */
export function isParked(status: SessionStatus): boolean {
  return (PARKED_STATUSES as readonly string[]).includes(status);
}

export function isTerminal(status: SessionStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** How a session's model calls go out: `normal` one by one, `batch` through the Message Batches lane at half price. */
export const Urgency = z.enum(['normal', 'batch']);
export type Urgency = z.infer<typeof Urgency>;

export const SessionError = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type SessionError = z.infer<typeof SessionError>;

export const Session = z.object({
  sessionId: z.string(),
  agent: z.string(),
  status: SessionStatus,
  /** The step the session is at: the next model call to make (0-based). */
  step: z.number().int().nonnegative(),
  input: z.string(),
  tenant: z.string().optional(),
  /** Set when the session chose its lane at start; otherwise the agent's `urgency` applies. */
  urgency: Urgency.optional(),
  metadata: z.record(z.string(), z.unknown()),
  /** The session's own limit overrides; the worker layers them over the agent's. */
  limits: LimitsInput,
  createdAt: z.number(),
  updatedAt: z.number(),
  output: z.string().optional(),
  error: SessionError.optional(),
  usage: Usage,
  /** Set when the session was forked from another one. */
  forkedFrom: z.object({ sessionId: z.string(), step: z.number().int() }).optional(),
  /** Set by `cancel`; the session stops at its next step boundary. */
  cancelRequested: z.boolean().optional(),
  /**
   * The queue shard the session runs on (see queue-shards.ts), chosen once at start: every later step,
   * decision, cancel and repair uses it. Absent on sessions from before shards: shard 0.
   */
  shard: z.number().int().nonnegative().optional(),
});
export type Session = z.infer<typeof Session>;

/** What `producer.wait` and `agentq enqueue --wait --json` give back. */
export interface SessionResult {
  sessionId: string;
  status: SessionStatus;
  output: string | null;
  steps: number;
  usage: Usage;
  error: SessionError | null;
}

export function toSessionResult(session: Session): SessionResult {
  return {
    sessionId: session.sessionId,
    status: session.status,
    output: session.output ?? null,
    steps: session.step,
    usage: session.usage,
    error: session.error ?? null,
  };
}
