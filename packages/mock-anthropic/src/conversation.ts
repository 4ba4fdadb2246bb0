export type Role = 'user' | 'assistant';

export type RawBlock = Record<string, unknown> & { type: string };

/** A content block with the position it had in the request, so errors can point at it. */
export interface LocatedBlock {
  block: RawBlock;
  message: number;
  index: number;
}

/** One conversational turn after consecutive same-role messages are merged. */
export interface Turn {
  role: Role;
  blocks: LocatedBlock[];
  /** Index of the first request message merged into this turn. */
  message: number;
}

export interface RawMessage {
  role: Role;
  content: string | RawBlock[];
}

export function contentBlocks(content: string | RawBlock[]): RawBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** Merges consecutive turns of one role, as the API does before it looks at them. */
export function mergeTurns(messages: readonly RawMessage[]): Turn[] {
  const turns: Turn[] = [];
  messages.forEach((m, message) => {
    const blocks = contentBlocks(m.content).map((block, index) => ({ block, message, index }));
    const last = turns.at(-1);
    if (last && last.role === m.role) last.blocks.push(...blocks);
    else turns.push({ role: m.role, blocks, message });
  });
  return turns;
}

function blockText(block: RawBlock): string | undefined {
  return block.type === 'text' && typeof block.text === 'string' ? block.text : undefined;
}

/** Text of the first text block of the first user turn: where a script lives. */
export function firstUserText(turns: readonly Turn[]): string {
  const first = turns.find((t) => t.role === 'user');
  for (const { block } of first?.blocks ?? []) {
    const text = blockText(block);
    if (text !== undefined) return text;
  }
  return '';
}

function toolResultText(block: RawBlock): string {
  const content = block.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c: unknown) => (typeof c === 'object' && c !== null ? blockText(c as RawBlock) : undefined) ?? '').join(' ');
}

/** The words of the latest user turn, falling back to tool results when it has no text. */
export function lastUserText(turns: readonly Turn[]): string {
  const last = [...turns].reverse().find((t) => t.role === 'user');
  if (!last) return '';
  const texts = last.blocks.map(({ block }) => blockText(block)).filter((t): t is string => t !== undefined);
  if (texts.length > 0) return texts.join(' ');
  return last.blocks
    .filter(({ block }) => block.type === 'tool_result')
    .map(({ block }) => toolResultText(block))
    .join(' ');
}
