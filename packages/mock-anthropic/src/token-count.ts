import { invalidRequest } from './api-error.js';
import type { OutputBlock } from './wire-types.js';
import type { ValidRequest } from './validate-request.js';

export type CacheTtl = '5m' | '1h';

/** One cacheable unit of the prompt, in the order the API builds its cache prefix: tools, system, messages. */
export interface PromptSegment {
  tokens: number;
  /** Canonical text of the segment, for prefix hashing. */
  key: string;
  /** Set when the segment carries a cache breakpoint. */
  cacheTtl?: CacheTtl;
}

/** The mock's tokenizer: a token is 4 characters, rounded up. */
export function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}

// Image cost does not grow with its base64 size; the API charges roughly this for a large one.
const IMAGE_TOKENS = 1600;
const MAX_BREAKPOINTS = 4;

function withoutCacheControl(obj: Record<string, unknown>): Record<string, unknown> {
  const { cache_control: _ignored, ...rest } = obj;
  return rest;
}

function ttlOf(obj: Record<string, unknown>): CacheTtl | undefined {
  const cc = obj.cache_control;
  if (typeof cc !== 'object' || cc === null) return undefined;
  return (cc as { ttl?: unknown }).ttl === '1h' ? '1h' : '5m';
}

function blockTokens(block: Record<string, unknown>): number {
  if (block.type === 'text' && typeof block.text === 'string') return tokensOf(block.text.length);
  if (block.type === 'image') return IMAGE_TOKENS;
  return tokensOf(JSON.stringify(withoutCacheControl(block)).length);
}

/** Splits a request's input into segments; throws a 400 past the API's limit of 4 breakpoints. */
export function promptSegments(req: ValidRequest): PromptSegment[] {
  const segments: PromptSegment[] = [];
  const push = (prefix: string, obj: Record<string, unknown>, tokens: number): void => {
    const ttl = ttlOf(obj);
    segments.push({ tokens, key: `${prefix}:${JSON.stringify(withoutCacheControl(obj))}`, ...(ttl ? { cacheTtl: ttl } : {}) });
  };
  for (const tool of req.tools) push('tool', tool, tokensOf(JSON.stringify(withoutCacheControl(tool)).length));
  for (const block of req.system) push('system', block, tokensOf(block.text.length));
  for (const turn of req.turns) {
    for (const { block } of turn.blocks) push(turn.role, block, blockTokens(block));
  }
  const last = segments.at(-1);
  if (req.cacheControl && last && !last.cacheTtl) last.cacheTtl = req.cacheControl.ttl === '1h' ? '1h' : '5m';
  const breakpoints = segments.filter((s) => s.cacheTtl).length;
  if (breakpoints > MAX_BREAKPOINTS) {
    throw invalidRequest(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);
  }
  return segments;
}

export function totalTokens(segments: readonly PromptSegment[]): number {
  return Math.max(
    1,
    segments.reduce((sum, s) => sum + s.tokens, 0),
  );
}

/** Output tokens of generated content: its text plus the JSON of tool inputs (a server tool's result is not the model's output). */
export function outputTokens(blocks: readonly OutputBlock[]): number {
  let chars = 0;
  for (const b of blocks) {
    if (b.type === 'text') chars += b.text.length;
    else if (b.type === 'thinking') chars += b.thinking.length;
    else if (b.type === 'tool_use' || b.type === 'server_tool_use') chars += JSON.stringify(b.input).length;
  }
  return Math.max(1, tokensOf(chars));
}
