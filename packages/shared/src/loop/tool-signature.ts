import { canonicalJson, sha256Hex } from './canonical-json.js';

/**
 * The identity of a tool call for loop detection: `<tool>:<sha256 of the canonical JSON input>`. It is the
 * same in every process and across restarts (never a per-process hash), so the whole fleet agrees on it.
 */
export function toolSignature(tool: string, input: unknown): string {
  return `${tool}:${sha256Hex(canonicalJson(input))}`;
}
