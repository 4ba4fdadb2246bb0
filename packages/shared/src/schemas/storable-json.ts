/** Deepest nesting of caller-supplied JSON (metadata) a session may store. @defaultValue 64 */
export const MAX_JSON_DEPTH = 64;

/**
 * Why a caller's value cannot be stored as JSON, or undefined when it can: nesting deeper than `maxDepth`
 * (checked without recursion, so a hostile depth cannot overflow the stack) or a value JSON cannot hold
 * (BigInt, a throwing `toJSON`) or one object reached twice (a cycle, or sharing that would multiply on write).
 */
export function unstorableJson(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (seen.has(current)) return 'it holds one object twice (a cycle or a shared reference)';
    seen.add(current);
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  try {
    JSON.stringify(value);
    return undefined;
  } catch (error) {
    return `it cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`;
  }
}
