import type { ChatMessage, HistoryEntry, Limits } from '@agentq/shared';

export interface WorkingMemory {
  /** Extra system text (the rolling summary and notes) appended after the agent's system prompt. */
  systemNotes: string[];
  messages: ChatMessage[];
}

/**
 * What the model is sent at a step. The first entry (the task) is always kept. Windowing and the rolling
 * summary narrow this to `memory.windowTokens`; without a window the whole history goes.
 */
export function buildWorkingMemory(history: HistoryEntry[], _limits: Limits): WorkingMemory {
  return { systemNotes: [], messages: history.map((entry) => entry.message) };
}
