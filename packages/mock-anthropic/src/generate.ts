import { lastUserText } from './conversation.js';
import { toolUseId } from './ids.js';
import { stepForTurn, type Script, type ScriptAnswer } from './script.js';
import { declaresServerTool, serverToolResult, serverToolUseId } from './server-tools.js';
import { signThinking } from './thinking.js';
import { outputTokens, tokensOf } from './token-count.js';
import type { OutputBlock, RefusalStopDetails, StopReason } from './wire-types.js';
import type { ValidRequest } from './validate-request.js';

/** The assistant's answer to one request, before it is wrapped as a message or a stream. */
export interface Generated {
  content: OutputBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  stopDetails: RefusalStopDetails | null;
  outputTokens: number;
  /** Of `outputTokens`, the thinking block's share. */
  thinkingTokens: number;
}

export const SCRIPT_FINISHED = 'Script finished.';
const ECHO_CHARS = 60;

/** What turn `k` answers: the script's step, "Script finished." past its end, or an echo without a script. */
export function answerForTurn(req: ValidRequest, script: Script | undefined, k: number): ScriptAnswer {
  if (!script) {
    const echo = Array.from(lastUserText(req.turns).trim()).slice(0, ECHO_CHARS).join('');
    return { blocks: [{ kind: 'text', text: `Mock reply to: ${echo}` }] };
  }
  const step = stepForTurn(script, k, req.model);
  return step ? step.answer : { blocks: [{ kind: 'text', text: SCRIPT_FINISHED }] };
}

function firstStop(text: string, sequences: readonly string[]): { at: number; sequence: string } | undefined {
  let best: { at: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    if (sequence === '') continue;
    const at = text.indexOf(sequence);
    if (at >= 0 && (!best || at < best.at)) best = { at, sequence };
  }
  return best;
}

/** Cuts at the first custom stop sequence, as the model would stop generating there. */
function applyStopSequences(blocks: OutputBlock[], sequences: readonly string[]): { blocks: OutputBlock[]; sequence?: string } {
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    if (block?.type !== 'text') continue;
    const stop = firstStop(block.text, sequences);
    if (!stop) continue;
    const cut = block.text.slice(0, stop.at);
    const kept = blocks.slice(0, i);
    if (cut !== '') kept.push({ ...block, text: cut });
    return { blocks: kept, sequence: stop.sequence };
  }
  return { blocks };
}

/** Keeps what fits in max_tokens: text is cut, a tool call that does not fit is dropped. */
function applyMaxTokens(blocks: OutputBlock[], maxTokens: number): { blocks: OutputBlock[]; truncated: boolean } {
  let remaining = maxTokens * 4;
  const kept: OutputBlock[] = [];
  for (const block of blocks) {
    if (block.type === 'text') {
      const chars = Array.from(block.text);
      if (chars.length > remaining) {
        if (remaining > 0) kept.push({ ...block, text: chars.slice(0, remaining).join('') });
        return { blocks: kept, truncated: true };
      }
      remaining -= chars.length;
    } else if (block.type === 'tool_use') {
      const chars = JSON.stringify(block.input).length;
      if (chars > remaining) return { blocks: kept, truncated: true };
      remaining -= chars;
    }
    kept.push(block);
  }
  return { blocks: kept, truncated: false };
}

/** Turns a script answer into content blocks, stop reason and usage for turn `k` of `conversation`. */
export function generate(answer: ScriptAnswer, req: ValidRequest, conversation: string, k: number): Generated {
  let toolIndex = 0;
  let serverIndex = 0;
  const full: OutputBlock[] = answer.blocks.flatMap((b): OutputBlock[] => {
    if (b.kind === 'text') return [{ type: 'text', text: b.text, citations: null }];
    if (b.kind === 'tool') return [{ type: 'tool_use', id: toolUseId(conversation, k, toolIndex++), name: b.name, input: b.input, caller: { type: 'direct' } }];
    // A server tool the request did not declare (left out, e.g. gated by risk) is not used.
    if (!declaresServerTool(req.tools, b.name)) return [];
    const id = serverToolUseId(conversation, k, serverIndex++);
    return [{ type: 'server_tool_use', id, name: b.name, input: b.input, caller: { type: 'direct' } }, serverToolResult(b.name, id, b.input)];
  });
  const stopped = applyStopSequences(full, req.stopSequences);
  const limited = applyMaxTokens(stopped.blocks, req.maxTokens);
  const natural: StopReason = limited.blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const stopReason: StopReason = limited.truncated ? 'max_tokens' : stopped.sequence !== undefined ? 'stop_sequence' : (answer.stopReason ?? natural);
  // Thinking comes first and bills as output; its signature binds it to the request it answers.
  const thought = req.thinking.on && req.maxTokens > 0 ? (answer.thinking ?? `Working out turn ${k + 1}.`) : undefined;
  const thinkingTokens = thought === undefined ? 0 : tokensOf(thought.length);
  const content: OutputBlock[] =
    thought === undefined ? limited.blocks : [{ type: 'thinking', thinking: thought, signature: signThinking(req.prefix, thought) }, ...limited.blocks];
  const tokens = req.maxTokens === 0 ? 0 : Math.min(req.maxTokens, outputTokens(limited.blocks) + thinkingTokens);
  return {
    thinkingTokens,
    content,
    stopReason,
    stopSequence: stopReason === 'stop_sequence' ? (stopped.sequence ?? null) : null,
    stopDetails: stopReason === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null,
    outputTokens: tokens,
  };
}
