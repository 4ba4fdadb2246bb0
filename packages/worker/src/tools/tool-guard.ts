import type { LoopCall, LoopLimits, LoopVerdict, SessionError, SessionStatus, Tool, ToolUseBlock } from '@agentq/shared';
import type { GuardContext } from './guard-context.js';
import type { ToolOutcome } from './tool-outcome.js';

/** One validated call about to run. */
export interface ToolCall {
  block: ToolUseBlock;
  tool: Tool;
  input: unknown;
  /** Set when an approver replaced the model's input; the result tells the model so. */
  editedBy?: string;
}

/**
 * What a guard decides about a call before it runs: let it run, answer it without running it, park the
 * session for a human, or end the session.
 */
export type GuardDecision =
  | { kind: 'run'; input?: unknown; editedBy?: string }
  | { kind: 'answer'; outcome: ToolOutcome }
  | { kind: 'park'; for?: 'approval' | 'input' }
  | { kind: 'stop'; status: SessionStatus; error: SessionError };

/** A check every tool call passes through, in order (loop detector, risk gate, circuit breaker, …). */
export interface ToolGuard {
  readonly name: string;
  check(ctx: GuardContext, call: ToolCall): Promise<GuardDecision>;
  /**
   * Starts, without waiting, the reads `check` will need for a fresh turn's calls (sent beside the turn's
   * checkpoint, or inside it: see {@link PendingTurnCheckpoint}); `check` then uses them. Only what is safe to
   * do for a call that a guard before this one may still answer.
   */
  prepare?(ctx: GuardContext, calls: readonly ToolCall[], checkpoint: PendingTurnCheckpoint): void;
  /** Told about each finished call, e.g. to count failures or remember error results. */
  after?(ctx: GuardContext, call: ToolCall, outcome: ToolOutcome): Promise<void>;
}

/**
 * A fresh turn's model checkpoint before it is written. Work on the session's own keys added here runs inside
 * the checkpoint's script: no script and no round trip of its own.
 */
export interface PendingTurnCheckpoint {
  /**
   * Adds the loop check of these calls (in turn order) to the checkpoint write. Resolves with their verdicts,
   * or undefined when the check did not run: the write failed, or kept a response stored before this one
   * (whose calls are not these).
   */
  loopCheck(calls: readonly LoopCall[], limits: LoopLimits): Promise<LoopVerdict[] | undefined>;
}
