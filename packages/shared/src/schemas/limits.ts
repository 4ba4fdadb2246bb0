import { z } from 'zod';
import { Risk } from '../define/risk.js';

/** The current Sonnet (models overview). */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';
export const DEFAULT_SUMMARY_MODEL = 'claude-haiku-4-5';

/**
 * The most any agent or session may ask for, whatever its ceilings: a value past these is a typo or an
 * attack (an approval timeout of `Number.MAX_SAFE_INTEGER` overflows every date shown to operators).
 */
export const LIMIT_HARD_MAX = {
  maxSteps: 10_000,
  tokens: 1_000_000_000,
  maxCostUsd: 100_000,
  /** 30 days. */
  durationMs: 30 * 24 * 3_600_000,
  maxTokensPerCall: 128_000,
  loopWindow: 1_000,
  loopThreshold: 1_000,
  loopStrikes: 100,
  windowTokens: 2_000_000,
  summaryMaxTokens: 64_000,
  maxToolResultChars: 10_000_000,
} as const;

export const LoopLimits = z
  .object({
    /** Calls remembered per session. @defaultValue 9 */
    window: z.number().int().positive().max(LIMIT_HARD_MAX.loopWindow).default(9),
    /** Times one signature may appear in the window before it is a loop. @defaultValue 3 */
    threshold: z.number().int().min(2).max(LIMIT_HARD_MAX.loopThreshold).default(3),
    /** Loop detections answered with a reflection message before the session ends `loop_detected`. @defaultValue 1 */
    strikes: z.number().int().min(1).max(LIMIT_HARD_MAX.loopStrikes).default(1),
  })
  .strict();
export type LoopLimits = z.infer<typeof LoopLimits>;

export const MemoryLimits = z
  .object({
    /** Token budget of the recent-message window sent to the model; unset = send the whole history. */
    windowTokens: z.number().int().positive().max(LIMIT_HARD_MAX.windowTokens).optional(),
    /** Model that folds messages leaving the window into the rolling summary. @defaultValue 'claude-haiku-4-5' */
    summaryModel: z.string().min(1).default(DEFAULT_SUMMARY_MODEL),
    /** Upper bound of the summary, in tokens. @defaultValue 1024 */
    summaryMaxTokens: z.number().int().positive().max(LIMIT_HARD_MAX.summaryMaxTokens).default(1024),
    /** Tool results longer than this are cut in working memory (kept whole in history). @defaultValue 20000 */
    maxToolResultChars: z.number().int().positive().max(LIMIT_HARD_MAX.maxToolResultChars).default(20_000),
    /**
     * When the window overflows, the oldest turns are folded into the summary until the window holds at most
     * this fraction of `windowTokens`, so summary calls come in batches rather than at every step. @defaultValue 0.5
     */
    foldTo: z.number().gt(0).max(1).default(0.5),
    /**
     * Size the window with the API's `count_tokens` endpoint (one extra, free call per step) instead of the
     * estimate calibrated from the previous step's reported usage. @defaultValue false
     */
    countTokens: z.boolean().default(false),
  })
  .strict();
export type MemoryLimits = z.infer<typeof MemoryLimits>;

/**
 * Limits of one session. Every field has a default and a hard maximum ({@link LIMIT_HARD_MAX}); a session may
 * only tighten its agent's limits (see limit-ceilings.ts).
 */
export const Limits = z
  .object({
    /** Model calls a session may make. @defaultValue 25 */
    maxSteps: z.number().int().positive().max(LIMIT_HARD_MAX.maxSteps).default(25),
    /** Total input tokens (including cache reads and writes). */
    maxInputTokens: z.number().int().positive().max(LIMIT_HARD_MAX.tokens).optional(),
    /** Total output tokens. */
    maxOutputTokens: z.number().int().positive().max(LIMIT_HARD_MAX.tokens).optional(),
    /** Total input + output tokens. */
    maxTokens: z.number().int().positive().max(LIMIT_HARD_MAX.tokens).optional(),
    /** Total cost in US dollars, from the price table. */
    maxCostUsd: z.number().positive().max(LIMIT_HARD_MAX.maxCostUsd).optional(),
    /** Highest tool risk run without a human decision. @defaultValue 'low' */
    maxAutoRisk: Risk.default('low'),
    /** Wall-clock time from session start after which it ends `budget_exceeded` / `deadline`. */
    deadlineMs: z.number().int().positive().max(LIMIT_HARD_MAX.durationMs).optional(),
    /** `max_tokens` of each model call. @defaultValue 4096 */
    maxTokensPerCall: z.number().int().positive().max(LIMIT_HARD_MAX.maxTokensPerCall).default(4096),
    /** How long an approval waits for a decision before it is denied with reason `timeout`. @defaultValue 3600000 */
    approvalTimeoutMs: z.number().int().positive().max(LIMIT_HARD_MAX.durationMs).default(3_600_000),
    loop: LoopLimits.default(LoopLimits.parse({})),
    memory: MemoryLimits.default(MemoryLimits.parse({})),
  })
  .strict();
export type Limits = z.infer<typeof Limits>;

type WithoutDefaults<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]> };

/**
 * Every field optional and WITHOUT its default: a layer that does not set a limit must not override an
 * earlier layer with the default (parsing `{}` once filled in `maxSteps: 25` and beat the agent's own limit).
 */
function withoutDefaults<T extends z.ZodRawShape>(shape: T): WithoutDefaults<T> {
  return Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => [key, (schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : (schema as z.ZodType)).optional()]),
  ) as unknown as WithoutDefaults<T>;
}

/** The shape users write: every field optional, nested objects partial. */
export const LimitsInput = z
  .object({
    ...withoutDefaults(Limits.shape),
    loop: z.object(withoutDefaults(LoopLimits.shape)).strict().optional(),
    memory: z.object(withoutDefaults(MemoryLimits.shape)).strict().optional(),
  })
  .strict();
export type LimitsInput = z.input<typeof LimitsInput>;

/** Merges limit layers, later ones winning, nested objects merged field by field. */
export function resolveLimits(...layers: Array<LimitsInput | undefined>): Limits {
  const merged: Record<string, unknown> = {};
  const loop: Record<string, unknown> = {};
  const memory: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    const parsed = LimitsInput.parse(layer);
    for (const [key, value] of Object.entries(parsed)) {
      if (value === undefined) continue;
      if (key === 'loop') Object.assign(loop, value);
      else if (key === 'memory') Object.assign(memory, value);
      else merged[key] = value;
    }
  }
  return Limits.parse({ ...merged, loop, memory });
}
