/**
 * JSON lengths known without serializing: a value parsed from a stored line keeps the length of its JSON
 * there, so a per-step estimate over a session's history costs nothing per message (see history-line.ts).
 * A copy with the same fields may carry its original's length over ({@link copyJsonChars}).
 */
const known = new WeakMap<object, number>();

/** Records the length of `value`'s JSON (`JSON.stringify(value).length`). */
export function rememberJsonChars(value: object, chars: number): void {
  known.set(value, chars);
}

/** Gives `copy` the JSON length known for `original`, when one is: for a shallow copy with the same fields. */
export function copyJsonChars(original: object, copy: object): void {
  const chars = known.get(original);
  if (chars !== undefined) known.set(copy, chars);
}

/** `JSON.stringify(value).length` (4, for `null`, when it serializes to nothing), from the record when known. */
export function jsonChars(value: unknown): number {
  if (typeof value === 'object' && value !== null) {
    const chars = known.get(value);
    if (chars !== undefined) return chars;
  }
  return JSON.stringify(value)?.length ?? 4;
}
