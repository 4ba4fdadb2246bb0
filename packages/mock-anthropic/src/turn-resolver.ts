import type { Turn } from './conversation.js';
import { decodeToolUseId } from './ids.js';

function latestMockTurn(turn: Turn, conversation: string): number | undefined {
  let latest: number | undefined;
  for (const { block } of turn.blocks) {
    if (block.type !== 'tool_use' || typeof block.id !== 'string') continue;
    const decoded = decodeToolUseId(block.id, conversation);
    if (decoded && (latest === undefined || decoded.turn > latest)) latest = decoded.turn;
  }
  return latest;
}

/**
 * Which script turn the request asks for, without any server-side state:
 * the newest assistant turn holding a tool_use id the mock made for this
 * conversation says its own turn number, and each assistant turn after it
 * adds one. That survives retries (same request, same answer) and history
 * windowing (the latest assistant turn is always kept). With no such id
 * anywhere, the assistant turns are counted. A final assistant turn is
 * prefill, not a finished turn, so it is not counted.
 */
export function resolveTurn(turns: readonly Turn[], conversation: string): number {
  const end = turns.at(-1)?.role === 'assistant' ? turns.length - 1 : turns.length;
  let assistantsAfter = 0;
  for (let i = end - 1; i >= 0; i--) {
    const turn = turns[i];
    if (!turn || turn.role !== 'assistant') continue;
    const own = latestMockTurn(turn, conversation);
    if (own !== undefined) return own + 1 + assistantsAfter;
    assistantsAfter++;
  }
  return assistantsAfter;
}
