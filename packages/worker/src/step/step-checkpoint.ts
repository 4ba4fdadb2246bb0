import type { StepCheckpoint } from '@agentq/shared/internal';
import type { StepContext } from './step-context.js';

/**
 * The step's checkpoint as read once at the model turn, handed to the tool turn so a step reads it in
 * one round trip instead of two. Safe to reuse: the tool turn only looks for earlier attempts' tool results
 * and marks, and a worker racing on the same step is stopped by the atomic attempt claim, not by this read.
 * Field names and writes belong to `StepCheckpointStore` in the shared package.
 */
// Per-step state: keyed by the step's context, a snapshot goes with its step.
const snapshots = new WeakMap<StepContext, StepCheckpoint>();

export async function readStepCheckpoint(ctx: StepContext): Promise<StepCheckpoint> {
  const cached = snapshots.get(ctx);
  if (cached) return cached;
  const checkpoint = await ctx.deps.stores.sessions.checkpoints.read(ctx.session.sessionId, ctx.step);
  // Events an earlier attempt wrote with its checkpoints but died before copying to the global stream.
  ctx.events.flushOutbox(ctx.step, checkpoint);
  snapshots.set(ctx, checkpoint);
  return checkpoint;
}

/** Hands the step the checkpoint its load read (or knew empty: a first attempt), so nothing reads it again. */
export function primeStepCheckpoint(ctx: StepContext, checkpoint: StepCheckpoint): void {
  ctx.events.flushOutbox(ctx.step, checkpoint);
  snapshots.set(ctx, checkpoint);
}
