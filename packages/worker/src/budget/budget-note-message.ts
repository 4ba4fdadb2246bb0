import type { ChatMessage } from '@agentq/shared';
import type { StepContext } from '../step/step-context.js';
import { readStepCheckpoint } from '../step/step-checkpoint.js';

/** Checkpoint field of the budget notice a step sent, so a retried step sends (and stores) the same one. */
export const NOTE_CHECKPOINT_FIELD = 'budget:note';

/**
 * The budget notice as a user message appended after the conversation, never an edit of `system`: the
 * prompt stays append-only, so thinking blocks keep their prefix and the cache keeps its hits. The message
 * is stored in history with the step's commit, exactly as sent. A retried step reuses the notice its first
 * attempt sent (checkpointed before the model call), or none if that attempt's call went out without one.
 */
export async function budgetNoteMessages(ctx: StepContext, notes: readonly string[]): Promise<ChatMessage[]> {
  const checkpoint = await readStepCheckpoint(ctx);
  const saved = checkpoint[NOTE_CHECKPOINT_FIELD];
  let text = saved;
  if (text === undefined && checkpoint.model === undefined && notes.length > 0) {
    text = notes.join('\n\n');
    await ctx.deps.stores.sessions.setCheckpoint(ctx.session.sessionId, ctx.step, NOTE_CHECKPOINT_FIELD, text);
  }
  return text ? [{ role: 'user', content: [{ type: 'text', text: `[agentq] ${text}` }] }] : [];
}
