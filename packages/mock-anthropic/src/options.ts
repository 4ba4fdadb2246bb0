/** One deterministic fault, answered instead of the next `POST /v1/messages`. */
export interface FailSpec {
  /** HTTP status to answer, e.g. 429, 500, 529 or 400. */
  status: number;
  /**
   * Value of the `retry-after` header, in seconds.
   *
   * @defaultValue `1` for 429, no header for other statuses
   */
  retryAfterSec?: number;
  /**
   * `error.message` of the error body.
   *
   * @defaultValue a message worded like the real API's for that status
   */
  message?: string;
  /**
   * `error.type` of the error body.
   *
   * @defaultValue the type the real API uses for `status` (e.g. `overloaded_error` for 529)
   */
  type?: string;
  /**
   * For a streaming request, answer 200 and start the stream, then send
   * `event: error` part-way through the first content block. A non-streaming
   * request gets the plain HTTP error.
   *
   * @defaultValue false
   */
  midStream?: boolean;
  /**
   * Only a request for this model takes the fault; requests for other models pass it by and leave it
   * queued (e.g. fail only an agent's summary calls to a cheaper model).
   *
   * @defaultValue any model
   */
  model?: string;
}

/**
 * A fault for the next request item of a Message Batch: it ends `expired`, or `errored` with this error.
 * `refused` at the head of the queue answers the next batch create as a whole with this HTTP error instead.
 */
export interface BatchFailSpec {
  result: 'expired' | 'errored' | 'refused';
  /** For `errored` / `refused`: the status (and so the error type). @defaultValue 500 */
  status?: number;
  /** For `errored`: `error.type`. @defaultValue the type the real API uses for `status` */
  type?: string;
  /** For `errored`: `error.message`. @defaultValue a message worded like the real API's */
  message?: string;
}

/** Options of {@link startMockAnthropic}; each has a CLI flag and an environment variable. */
export interface MockOptions {
  /**
   * TCP port to listen on; 0 picks a free port.
   *
   * @defaultValue 0
   */
  port?: number;
  /**
   * Interface to listen on.
   *
   * @defaultValue "127.0.0.1"
   */
  host?: string;
  /**
   * Fixed delay before a `/v1/messages` answer starts (successes and 5xx faults;
   * validation errors and 429s answer at once, as a gateway would).
   *
   * @defaultValue 0
   */
  latencyMs?: number;
  /**
   * Random extra delay, uniform in 0..jitterMs, added to `latencyMs`.
   *
   * @defaultValue 0
   */
  jitterMs?: number;
  /**
   * Delay between SSE chunks of a streamed answer.
   *
   * @defaultValue 5
   */
  chunkDelayMs?: number;
  /**
   * Requests per minute; unset means unlimited.
   *
   * @defaultValue undefined
   */
  rpm?: number;
  /**
   * Input tokens per minute (cache writes count, cache reads do not); unset means unlimited.
   *
   * @defaultValue undefined
   */
  itpm?: number;
  /**
   * Output tokens per minute; `max_tokens` is charged at admission and the
   * unused part refunded when the answer completes. Unset means unlimited.
   *
   * @defaultValue undefined
   */
  otpm?: number;
  /**
   * Probability (0..1) that a request is answered 500 `api_error`.
   *
   * @defaultValue 0
   */
  failRate?: number;
  /**
   * Probability (0..1) that a request is answered 529 `overloaded_error`.
   *
   * @defaultValue 0
   */
  overloadRate?: number;
  /**
   * Faults answered, in order, to the next valid `POST /v1/messages` requests.
   *
   * @defaultValue []
   */
  failNext?: FailSpec[];
  /**
   * Seed of the generator behind `failRate`, `overloadRate` and `jitterMs`.
   *
   * @defaultValue a random seed
   */
  seed?: number;
  /**
   * How many requests `/_mock/requests` keeps; older ones are dropped so long
   * load tests do not grow memory without bound.
   *
   * @defaultValue 10000
   */
  maxRecorded?: number;
  /**
   * How long a Message Batch stays `in_progress` after it is created before it ends with its results.
   *
   * @defaultValue 0
   */
  batchDelayMs?: number;
  /**
   * Faults for the next request items of Message Batches, in arrival order (one per item), instead of
   * their scripted answers. Programmatic and `/_mock/options` only.
   *
   * @defaultValue []
   */
  batchFailNext?: BatchFailSpec[];
}

/** Options that can change while the server runs (everything but the listening address). */
export type RuntimeOptions = Omit<MockOptions, 'port' | 'host'>;

export interface ResolvedOptions {
  port: number;
  host: string;
  latencyMs: number;
  jitterMs: number;
  chunkDelayMs: number;
  rpm: number | undefined;
  itpm: number | undefined;
  otpm: number | undefined;
  failRate: number;
  overloadRate: number;
  failNext: FailSpec[];
  seed: number;
  maxRecorded: number;
  batchDelayMs: number;
  batchFailNext: BatchFailSpec[];
}

export const DEFAULT_HOST = '127.0.0.1';

export function defaultOptions(): ResolvedOptions {
  return {
    port: 0,
    host: DEFAULT_HOST,
    latencyMs: 0,
    jitterMs: 0,
    chunkDelayMs: 5,
    rpm: undefined,
    itpm: undefined,
    otpm: undefined,
    failRate: 0,
    overloadRate: 0,
    failNext: [],
    seed: Math.floor(Math.random() * 2 ** 32),
    maxRecorded: 10_000,
    batchDelayMs: 0,
    batchFailNext: [],
  };
}

type NumericKey =
  'port' | 'latencyMs' | 'jitterMs' | 'chunkDelayMs' | 'rpm' | 'itpm' | 'otpm' | 'failRate' | 'overloadRate' | 'seed' | 'maxRecorded' | 'batchDelayMs';

interface NumberRule {
  integer: boolean;
  min: number;
  max: number;
  describe: string;
}

const nonNegativeInt: NumberRule = {
  integer: true,
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  describe: 'a non-negative integer',
};
const positiveInt: NumberRule = {
  integer: true,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  describe: 'a positive integer',
};
const probability: NumberRule = { integer: false, min: 0, max: 1, describe: 'a number between 0 and 1' };

export const NUMBER_RULES: Record<NumericKey, NumberRule> = {
  port: { integer: true, min: 0, max: 65535, describe: 'an integer between 0 and 65535' },
  latencyMs: nonNegativeInt,
  jitterMs: nonNegativeInt,
  chunkDelayMs: nonNegativeInt,
  rpm: positiveInt,
  itpm: positiveInt,
  otpm: positiveInt,
  failRate: probability,
  overloadRate: probability,
  seed: { integer: true, min: 0, max: 2 ** 32 - 1, describe: 'an integer between 0 and 4294967295' },
  maxRecorded: nonNegativeInt,
  batchDelayMs: nonNegativeInt,
};

/** Returns why `value` is not acceptable for `key`, or undefined when it is. */
export function checkNumber(key: NumericKey, value: number): string | undefined {
  const rule = NUMBER_RULES[key];
  const ok = Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) && value >= rule.min && value <= rule.max;
  return ok ? undefined : `must be ${rule.describe}`;
}

function checkFailSpec(spec: unknown, index: number): string | undefined {
  const where = `failNext[${index}]`;
  if (typeof spec !== 'object' || spec === null) return `${where} must be an object`;
  const s = spec as Record<string, unknown>;
  if (typeof s.status !== 'number' || !Number.isInteger(s.status) || s.status < 400 || s.status > 599) {
    return `${where}.status must be an HTTP error status (400..599)`;
  }
  if (s.retryAfterSec !== undefined && (typeof s.retryAfterSec !== 'number' || !(s.retryAfterSec >= 0))) {
    return `${where}.retryAfterSec must be a non-negative number`;
  }
  if (s.message !== undefined && typeof s.message !== 'string') return `${where}.message must be a string`;
  if (s.type !== undefined && typeof s.type !== 'string') return `${where}.type must be a string`;
  if (s.midStream !== undefined && typeof s.midStream !== 'boolean') return `${where}.midStream must be a boolean`;
  if (s.model !== undefined && (typeof s.model !== 'string' || s.model === '')) return `${where}.model must be a model name`;
  return undefined;
}

function checkBatchFailSpec(spec: unknown, index: number): string | undefined {
  const where = `batchFailNext[${index}]`;
  if (typeof spec !== 'object' || spec === null) return `${where} must be an object`;
  const s = spec as Record<string, unknown>;
  if (s.result !== 'expired' && s.result !== 'errored' && s.result !== 'refused') return `${where}.result must be "expired", "errored" or "refused"`;
  if (s.status !== undefined && (typeof s.status !== 'number' || !Number.isInteger(s.status) || s.status < 400 || s.status > 599)) {
    return `${where}.status must be an HTTP error status (400..599)`;
  }
  if (s.type !== undefined && typeof s.type !== 'string') return `${where}.type must be a string`;
  if (s.message !== undefined && typeof s.message !== 'string') return `${where}.message must be a string`;
  return undefined;
}

/**
 * Validates options given programmatically (or over `POST /_mock/options`).
 * Throws a `RangeError` naming the first bad option.
 */
export function assertValidOptions(opts: MockOptions): void {
  for (const key of Object.keys(NUMBER_RULES) as NumericKey[]) {
    const value = opts[key];
    if (value === undefined) continue;
    const problem = typeof value === 'number' ? checkNumber(key, value) : 'must be a number';
    if (problem) throw new RangeError(`mock-anthropic: option ${key} ${problem} (got ${JSON.stringify(value)})`);
  }
  if (opts.host !== undefined && (typeof opts.host !== 'string' || opts.host === '')) {
    throw new RangeError('mock-anthropic: option host must be a non-empty string');
  }
  if (opts.failNext !== undefined) {
    if (!Array.isArray(opts.failNext)) throw new RangeError('mock-anthropic: option failNext must be an array');
    opts.failNext.forEach((spec, i) => {
      const problem = checkFailSpec(spec, i);
      if (problem) throw new RangeError(`mock-anthropic: option ${problem}`);
    });
  }
  if (opts.batchFailNext !== undefined) {
    if (!Array.isArray(opts.batchFailNext)) throw new RangeError('mock-anthropic: option batchFailNext must be an array');
    opts.batchFailNext.forEach((spec, i) => {
      const problem = checkBatchFailSpec(spec, i);
      if (problem) throw new RangeError(`mock-anthropic: option ${problem}`);
    });
  }
}

/** Applies `patch` over `base`; an explicit `undefined` for a rate limit removes that limit. */
export function mergeOptions(base: ResolvedOptions, patch: MockOptions): ResolvedOptions {
  const next: ResolvedOptions = { ...base };
  for (const [key, value] of Object.entries(patch) as [keyof MockOptions, unknown][]) {
    if (value === undefined && key !== 'rpm' && key !== 'itpm' && key !== 'otpm') continue;
    if (key === 'failNext') next.failNext = [...(value as FailSpec[])];
    else if (key === 'batchFailNext') next.batchFailNext = [...(value as BatchFailSpec[])];
    else (next as unknown as Record<string, unknown>)[key] = value;
  }
  return next;
}
