import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';
import type { LoopLimits } from '../schemas/limits.js';
import { sha256Hex } from './canonical-json.js';
import { type LoopKind, pingPongLength } from './loop-kind.js';
import { toolSignature } from './tool-signature.js';

/** Loop state outlives a parked or slow session by far; it goes with the session's other keys after that. */
const STATE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface LoopVerdict {
  /** `ok`: run the call; `warn`: answer it with a reflection; `stop`: end the session `loop_detected`. */
  verdict: 'ok' | 'warn' | 'stop';
  kind?: LoopKind;
  signature: string;
  /** Occurrences in the window (`repeat`), run length (`ping_pong`) or error streak (`error_repeat`). */
  count: number;
  /** Detections in this session so far, this one included. */
  strikes: number;
  /** False when this tool_use was checked before (a retried step) and the first verdict is returned. */
  fresh: boolean;
}

/**
 * The per-session loop detector. Its state lives in Redis under the session's hash tag, and each update is
 * one Lua script keyed by tool_use id, so every worker of the fleet sees the same window and a retried step
 * never counts a call twice.
 */
export class LoopDetector {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** Adds the call to the session's window and says whether it is part of a loop. */
  async check(sessionId: string, call: { toolUseId: string; tool: string; input: unknown }, limits: LoopLimits): Promise<LoopVerdict> {
    const signature = toolSignature(call.tool, call.input);
    const [verdict, kind, count, strikes, fresh] = await runScript<[string, string, number, number, number]>(
      this.redis,
      'checkLoop',
      [this.keys.loopWindow(sessionId), this.keys.loopState(sessionId)],
      [call.toolUseId, call.tool, signature, limits.window, limits.threshold, limits.strikes, pingPongLength(limits.threshold), STATE_TTL_MS],
    );
    return {
      verdict: verdict as LoopVerdict['verdict'],
      ...(kind ? { kind: kind as LoopKind } : {}),
      signature,
      count: Number(count),
      strikes: Number(strikes),
      fresh: Number(fresh) === 1,
    };
  }

  /** Remembers a finished call's result for the error-streak rule; returns the tool's streak (-1: seen before). */
  async recordResult(sessionId: string, result: { toolUseId: string; tool: string; isError: boolean; content: string }): Promise<number> {
    const streak = await runScript<number>(
      this.redis,
      'recordLoopResult',
      [this.keys.loopState(sessionId)],
      [result.toolUseId, result.tool, result.isError ? 1 : 0, sha256Hex(result.content), STATE_TTL_MS],
    );
    return Number(streak);
  }
}
