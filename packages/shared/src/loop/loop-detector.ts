import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';
import type { LoopLimits } from '../schemas/limits.js';
import { sha256Hex } from './canonical-json.js';
import { type LoopKind, pingPongLength } from './loop-kind.js';
import { toolSignature } from './tool-signature.js';

/** One tool call as the detector sees it. */
export interface LoopCall {
  toolUseId: string;
  tool: string;
  input: unknown;
}

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
  /**
   * Whether the tool may have an error streak a success would reset: false when the check saw none (then a
   * success needs no {@link LoopDetector.recordResult}), always true for a call checked before.
   */
  errorStreak: boolean;
}

/**
 * The per-session loop detector. Its state lives in Redis under the session's hash tag, and each update is
 * one Lua script (a model turn's calls together), keyed by tool_use id, so every worker of the fleet sees the
 * same window and a retried step never counts a call twice.
 */
export class LoopDetector {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** Adds the call to the session's window and says whether it is part of a loop. */
  async check(sessionId: string, call: LoopCall, limits: LoopLimits): Promise<LoopVerdict> {
    const [verdict] = await this.checkTurn(sessionId, [call], limits);
    return verdict as LoopVerdict;
  }

  /**
   * Adds the calls of one model turn to the session's window, in turn order, and says for each whether it is
   * part of a loop: one script for the whole turn. A fresh turn's check rides its model checkpoint instead
   * (saveModelTurn runs the same Lua with a {@link loopTurnRequest}).
   */
  async checkTurn(sessionId: string, calls: readonly LoopCall[], limits: LoopLimits): Promise<LoopVerdict[]> {
    if (calls.length === 0) return [];
    const request = loopTurnRequest(calls, limits);
    const reply = await runScript<Array<string | number>>(this.redis, 'checkLoop', [this.keys.loopState(sessionId)], request.args);
    return loopVerdicts(request, reply);
  }

  /** Remembers a finished call's result for the error-streak rule; returns the tool's streak (-1: seen before). */
  async recordResult(sessionId: string, result: { toolUseId: string; tool: string; isError: boolean; content: string }): Promise<number> {
    const streak = await runScript<number>(
      this.redis,
      'recordLoopResult',
      [this.keys.loopState(sessionId)],
      [result.toolUseId, result.tool, result.isError ? 1 : 0, sha256Hex(result.content)],
    );
    return Number(streak);
  }
}

/** A turn's loop check as the scripts that run it take it (checkLoop-1.lua's ARGV). */
export interface LoopTurnRequest {
  signatures: string[];
  args: Array<string | number>;
}

/** The ARGV of the loop check of a turn's calls, in turn order. */
export function loopTurnRequest(calls: readonly LoopCall[], limits: LoopLimits): LoopTurnRequest {
  const signatures = calls.map((call) => toolSignature(call.tool, call.input));
  return {
    signatures,
    args: [
      limits.window,
      limits.threshold,
      limits.strikes,
      pingPongLength(limits.threshold),
      ...calls.flatMap((call, i) => [call.toolUseId, call.tool, signatures[i] as string]),
    ],
  };
}

/** The verdicts of a loop check's reply (six values per call), in turn order. */
export function loopVerdicts(request: LoopTurnRequest, reply: ReadonlyArray<string | number>): LoopVerdict[] {
  return request.signatures.map((signature, i) => {
    const [verdict, kind, count, strikes, fresh, streak] = reply.slice(i * 6, i * 6 + 6);
    return {
      verdict: verdict as LoopVerdict['verdict'],
      ...(kind ? { kind: kind as LoopKind } : {}),
      signature,
      count: Number(count),
      strikes: Number(strikes),
      fresh: Number(fresh) === 1,
      errorStreak: Number(streak) === 1,
    };
  });
}
