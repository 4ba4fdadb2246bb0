import type { ChatMessage } from '@agentq/shared';
import type { StepCheckpoint } from '@agentq/shared/internal';
import type { BudgetContext } from './budget-context.js';

/**
 * The budget notice as a user message appended after the conversation, never an edit of `system`: the
 * prompt stays append-only, so thinking blocks keep their prefix and the cache keeps its hits. The message
 * is stored in history with the step's commit, exactly as sent. A retried step reuses the notice its first
 * attempt sent (checkpointed before the model call), or none if that attempt's call went out without one.
 * `checkpoint` is the step's, as its load read it.
 */
export async function budgetNoteMessages(ctx: BudgetContext, checkpoint: StepCheckpoint, notes: readonly string[]): Promise<ChatMessage[]> {
  // Checkpointed, so a retried step sends (and stores) the same notice.
  const saved = checkpoint.budgetNote;
  let text = saved;
  if (text === undefined && checkpoint.modelResponse() === undefined && notes.length > 0) {
    text = notes.join('\n\n');
    await ctx.deps.stores.sessions.checkpoints.setBudgetNote(ctx.session.sessionId, ctx.step, text);
  }
  return text ? [{ role: 'user', content: [{ type: 'text', text: `[agentq] ${text}` }] }] : [];
}
