/**
 * Size and shape limits on what a producer accepts, checked before anything else looks at the input (a
 * caller passing a customer's JSON through is not trusted with the fleet's memory or stack).
 */
export interface InputCaps {
  /** Bytes (UTF-8) of a session's `input` text. @defaultValue 524288 (512 KiB) */
  maxInputBytes: number;
  /** Bytes of a session's `metadata` as JSON. @defaultValue 16384 (16 KiB) */
  maxMetadataBytes: number;
  /** Nesting depth of `metadata` (`{}` is depth 1). @defaultValue 8 */
  maxMetadataDepth: number;
  /** Bytes of a session's `limits` object as JSON. @defaultValue 4096 */
  maxLimitsBytes: number;
  /** Sessions in one `startBatch` call (one `agentq enqueue` file). @defaultValue 10000 */
  maxSessionsPerBatch: number;
}

export const DEFAULT_INPUT_CAPS: InputCaps = {
  maxInputBytes: 512 * 1024,
  maxMetadataBytes: 16 * 1024,
  maxMetadataDepth: 8,
  maxLimitsBytes: 4096,
  maxSessionsPerBatch: 10_000,
};

/** A cap one session went past. */
export interface CapViolation {
  field: string;
  message: string;
}

/**
 * Depth of a JSON-like value, walked with an explicit stack (a value nested thousands deep must be
 * refused, not overflow the call stack); stops as soon as `limit` is passed.
 */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** The first cap a raw session object goes past, or undefined. Runs before schema parsing. */
export function capViolation(raw: unknown, caps: InputCaps): CapViolation | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const { input, metadata, limits } = raw as Record<string, unknown>;
  if (typeof input === 'string') {
    const bytes = Buffer.byteLength(input, 'utf8');
    if (bytes > caps.maxInputBytes) return { field: 'input', message: `${bytes} bytes, over the cap of ${caps.maxInputBytes}` };
  }
  if (metadata !== undefined) {
    const depth = depthOf(metadata, caps.maxMetadataDepth);
    if (depth > caps.maxMetadataDepth) return { field: 'metadata', message: `nested deeper than the cap of ${caps.maxMetadataDepth}` };
    const bytes = Buffer.byteLength(JSON.stringify(metadata) ?? '', 'utf8');
    if (bytes > caps.maxMetadataBytes) return { field: 'metadata', message: `${bytes} bytes as JSON, over the cap of ${caps.maxMetadataBytes}` };
  }
  if (limits !== undefined) {
    // The limits schema is two levels deep; anything deeper is refused by it, so measure only bounded input.
    if (depthOf(limits, 3) > 3) return { field: 'limits', message: 'nested deeper than the limits schema' };
    const bytes = Buffer.byteLength(JSON.stringify(limits) ?? '', 'utf8');
    if (bytes > caps.maxLimitsBytes) return { field: 'limits', message: `${bytes} bytes as JSON, over the cap of ${caps.maxLimitsBytes}` };
  }
  return undefined;
}

export function resolveInputCaps(caps: Partial<InputCaps> = {}): InputCaps {
  const out = { ...DEFAULT_INPUT_CAPS, ...caps };
  for (const [key, value] of Object.entries(out)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`input caps: ${key} must be a positive integer (got ${value})`);
  }
  return out;
}
