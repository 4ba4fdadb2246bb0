/**
 * The loop patterns the detector knows (rules in docs/loops-and-budgets.md):
 * - `repeat`: one signature appears `threshold` times among the last `window` calls;
 * - `ping_pong`: the last `pingPongLength(threshold)` calls alternate between exactly two signatures;
 * - `error_repeat`: a tool's last `threshold` results were the same error, and it is called again.
 */
export type LoopKind = 'repeat' | 'ping_pong' | 'error_repeat';

/** Calls an A-B-A-B run must span to count: each of the two signatures `threshold - 1` times, at least A,B,A,B. */
export function pingPongLength(threshold: number): number {
  return 2 * Math.max(2, threshold - 1);
}

/** What the model reads instead of the tool's result when a loop is first detected. */
export const LOOP_REFLECTIONS: Record<LoopKind, string> = {
  repeat:
    "You've called the same tool with the same arguments multiple times. This approach isn't working. Try a different strategy or conclude with what you know.",
  ping_pong: "You've been alternating between the same two tool calls. This approach isn't working. Try a different strategy or conclude with what you know.",
  error_repeat:
    "This tool has returned the same error several times in a row. This approach isn't working. Try a different strategy or conclude with what you know.",
};
