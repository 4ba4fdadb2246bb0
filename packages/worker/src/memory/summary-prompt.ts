import type { ChatMessage, ContentBlock, HistoryEntry } from '@agentq/shared';
import { cutText } from './cut-tool-results.js';

/** System prompt of the summary model: fold new turns into the running summary, keeping what matters. */
export function summarySystemPrompt(maxTokens: number): string {
  const words = Math.max(50, Math.floor(maxTokens * 0.6));
  return [
    "You keep the working memory of an AI agent's session. Turns that no longer fit the agent's context window are folded into a running summary, which the agent reads instead of those turns.",
    'Update the summary with the new turns. Keep: facts learned, decisions made and why, tool calls whose outcome matters (results, failures and their causes), files or records touched, open questions, and what remains to do.',
    'Drop pleasantries and anything the summary already says. Do not invent anything. Write terse bullet points.',
    `Stay under ${words} words. Reply with the updated summary only.`,
  ].join('\n');
}

/** The user message of a summary call: the summary so far and a transcript of the turns to fold in. */
export function summaryUserPrompt(previous: string, entries: readonly HistoryEntry[], maxResultChars: number): string {
  const transcript = entries.map((e) => renderMessage(e.step, e.message, maxResultChars)).join('\n');
  return `<summary_so_far>\n${previous || '(none yet)'}\n</summary_so_far>\n\n<new_turns>\n${transcript}\n</new_turns>\n\nReply with the updated summary.`;
}

function renderMessage(step: number, message: ChatMessage, maxResultChars: number): string {
  const who = message.role;
  if (typeof message.content === 'string') return `[step ${step}] ${who}: ${message.content}`;
  return message.content.map((block) => `[step ${step}] ${who}: ${renderBlock(block, maxResultChars)}`).join('\n');
}

function renderBlock(block: ContentBlock, maxResultChars: number): string {
  if (block.type === 'text' && typeof block.text === 'string') return block.text;
  if (block.type === 'tool_use') return `called ${String(block.name)} (${String(block.id)}) with ${JSON.stringify(block.input)}`;
  if (block.type === 'tool_result') {
    const raw = block.content;
    const text =
      typeof raw === 'string'
        ? raw
        : Array.isArray(raw)
          ? raw.map((b: { text?: unknown }) => (typeof b.text === 'string' ? b.text : '[non-text]')).join('\n')
          : '';
    const body = text.length > maxResultChars ? cutText(text, maxResultChars) : text;
    return `result of ${String(block.tool_use_id)}${block.is_error === true ? ' (ERROR)' : ''}: ${body}`;
  }
  return `[${block.type} block]`;
}
