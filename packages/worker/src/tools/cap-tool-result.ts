import type { ToolOutcome } from './tool-outcome.js';

/**
 * Cuts a tool result to `maxBytes` of UTF-8 before it is stored, keeping a note of what was cut (in the text
 * the model reads, and as `originalBytes` for the event log). One oversized result would otherwise ride whole
 * in the checkpoint, the history and every later model call.
 */
export function capToolResult(outcome: ToolOutcome, maxBytes: number): ToolOutcome {
  // Already cut (the guards and the store both see the capped outcome): its note and original size stand.
  if (outcome.originalBytes !== undefined) return outcome;
  const bytes = Buffer.byteLength(outcome.content, 'utf8');
  if (bytes <= maxBytes) return outcome;
  // Cut at a character boundary: decoding a cut multi-byte sequence would leave a replacement character.
  let kept = Buffer.from(outcome.content, 'utf8').subarray(0, maxBytes).toString('utf8');
  if (kept.endsWith('\uFFFD')) kept = kept.slice(0, -1);
  const note = `\n[agentq: result cut to ${maxBytes} of ${bytes} bytes (maxToolResultBytes); ask for a narrower result if the rest matters]`;
  return { ...outcome, content: kept + note, originalBytes: bytes };
}
