import type { StepContext } from './step-context.js';

/**
 * The step's checkpoint hash as read once at the model turn, handed to the tool turn so a step reads it in
 * one round trip instead of two. Safe to reuse: the tool turn only looks for earlier attempts' tool results
 * and marks, and a worker racing on the same step is stopped by the atomic attempt claim, not by this read.
 */
const snapshots = new WeakMap<StepContext, Record<string, string>>();

export async function readStepCheckpoint(ctx: StepContext): Promise<Record<string, string>> {
  const cached = snapshots.get(ctx);
  if (cached) return cached;
  const checkpoint = await ctx.deps.stores.sessions.checkpoint(ctx.session.sessionId, ctx.step);
  // Events an earlier attempt wrote with its checkpoints but died before copying to the global stream.
  ctx.events.flushOutbox(ctx.step, checkpoint);
  snapshots.set(ctx, checkpoint);
  return checkpoint;
}

/** Checkpoint field of the step's model response, and the guard that counts its usage once. */
export const MODEL_CHECKPOINT_FIELD = 'model';
export const MODEL_USAGE_GUARD = 'usage:model';
