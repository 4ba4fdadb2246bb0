import { DEFAULT_TENANT, type Redis } from '@agentq/shared';
import { type Keys } from '@agentq/shared/internal';
import { runWorkerScript } from '../redis/worker-scripts.js';
import { governorBucketId } from './bucket-id.js';
import { DEFAULT_GOVERNOR_TTL_MS, DEFAULT_MAX_INLINE_WAIT_MS, type GovernorLimits, type GovernorOptions } from './governor-options.js';
import { parseRateLimitHeaders, type ReportedBucket } from './rate-limit-headers.js';

/** How long a tenant's share setting is cached by each worker. */
const SHARE_CACHE_MS = 2000;

/** What one call asks of the buckets. */
export interface AcquireRequest {
  model: string;
  /** Estimated input tokens of the request (see estimateInputTokens). */
  estimatedInput: number;
  /** The request's `max_tokens`: output is reserved at that size until the real usage is known. */
  maxTokens: number;
  tenant?: string | undefined;
}

/** Which limit made a call wait. */
export type GovernorReason = 'requests' | 'input_tokens' | 'output_tokens' | 'tenant_requests' | 'tenant_input_tokens' | 'tenant_output_tokens';

/** A granted reservation; pass it to {@link Governor.settle} exactly once, whatever the call's outcome. */
export interface Permit {
  readonly bucketId: string;
  readonly tenant: string | undefined;
  /** The tenant's share when the permit was granted (settled against the same buckets). */
  readonly share: number;
  readonly charged: { requests: number; inputTokens: number; outputTokens: number };
  /** Sleep this long before calling (a reservation granted in advance); 0 = call now. */
  readonly waitMs: number;
  readonly reason: GovernorReason | undefined;
}

export type AcquireResult =
  { granted: true; permit: Permit; waitMs: number; reason: GovernorReason | undefined } | { granted: false; waitMs: number; reason: GovernorReason };

/** What the API counted for a call; leave it out when the call failed before the API answered it. */
export interface SettleUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** How a call ended, for {@link Governor.settle}. */
export interface SettleOutcome {
  usage?: SettleUsage | undefined;
  headers?: Headers | undefined;
  /** HTTP status; 429 means the API refused the call, so nothing it reserved was used. */
  status?: number | undefined;
  /** False when the call never left (aborted while waiting for its reservation). @defaultValue true */
  sent?: boolean;
}

/**
 * The fleet-wide rate-limit governor: token buckets in Redis for requests, input tokens and output tokens
 * per minute, per API key and model family, updated atomically by Lua so every worker of every host
 * draws from the same buckets. A call reserves its estimate before it is sent and settles with the real
 * usage and the `anthropic-ratelimit-*` headers after.
 */
export class Governor {
  private readonly apiKey: string;
  private readonly limits: Required<{ [K in keyof GovernorLimits]: number }>;
  readonly maxInlineWaitMs: number;
  private readonly tenantShare: number;
  private readonly ttlMs: number;
  /** Per-tenant shares set by operators (`producer.tenants.setShare`), read at most every SHARE_CACHE_MS. */
  private readonly shares = new Map<string, { share: number | undefined; at: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    options: GovernorOptions = {},
  ) {
    this.apiKey = options.apiKey ?? process.env.ANTHROPIC_API_KEY ?? 'no-key';
    const positive = (n: number | undefined, name: string): number => {
      if (n === undefined) return 0;
      if (!(Number.isFinite(n) && n > 0)) throw new RangeError(`governor: limits.${name} must be a positive number (got ${n})`);
      return n;
    };
    this.limits = {
      requestsPerMinute: positive(options.limits?.requestsPerMinute, 'requestsPerMinute'),
      inputTokensPerMinute: positive(options.limits?.inputTokensPerMinute, 'inputTokensPerMinute'),
      outputTokensPerMinute: positive(options.limits?.outputTokensPerMinute, 'outputTokensPerMinute'),
    };
    this.maxInlineWaitMs = Math.max(0, options.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS);
    const share = options.tenantShare;
    if (share !== undefined && !(share > 0 && share <= 1)) throw new RangeError(`governor: tenantShare must be in (0, 1] (got ${share})`);
    this.tenantShare = share ?? 0;
    this.ttlMs = options.stateTtlMs ?? DEFAULT_GOVERNOR_TTL_MS;
  }

  /** The Redis key holding the buckets of `model` (for inspection and tests). */
  key(model: string): string {
    return this.keys.governor(governorBucketId(this.apiKey, model));
  }

  /**
   * Reserves one call. Granted: the buckets are charged; sleep `waitMs` (at most `maxInlineWaitMs`) before
   * calling. Not granted: nothing is charged, and the call would fit in `waitMs`.
   */
  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    const bucketId = governorBucketId(this.apiKey, request.model);
    const tenant = request.tenant ?? DEFAULT_TENANT;
    const share = await this.shareOf(tenant);
    const [granted, waitMs, reason, r, i, o] = await runWorkerScript<[number, number, string, number, number, number]>(
      this.redis,
      'acquireGovernor',
      [this.keys.governor(bucketId)],
      [
        1,
        Math.max(0, Math.ceil(request.estimatedInput)),
        Math.max(0, Math.ceil(request.maxTokens)),
        ...this.configuredArgs(),
        this.maxInlineWaitMs,
        tenant,
        share,
        this.ttlMs,
      ],
    );
    const why = (reason || undefined) as GovernorReason | undefined;
    if (granted !== 1) return { granted: false, waitMs, reason: why ?? 'requests' };
    const permit: Permit = {
      bucketId,
      tenant,
      share,
      charged: { requests: r, inputTokens: i, outputTokens: o },
      waitMs,
      reason: why,
    };
    return { granted: true, permit, waitMs, reason: why };
  }

  /**
   * Reconciles a permit with what the API counted and learns the limits and remaining amounts the response
   * headers report. Cache reads do not count toward input-token limits, cache writes do.
   * Returns the bucket levels after settling (-1 = not governed).
   */
  async settle(permit: Permit, outcome: SettleOutcome = {}): Promise<{ requests: number; inputTokens: number; outputTokens: number }> {
    const refused = outcome.status === 429 || outcome.sent === false;
    const answered = outcome.usage !== undefined;
    const used = refused
      ? [0, 0, 0]
      : answered
        ? [1, (outcome.usage?.input_tokens ?? 0) + (outcome.usage?.cache_creation_input_tokens ?? 0), outcome.usage?.output_tokens ?? 0]
        : // An error other than 429: the API may have counted the request; tokens of a failed call are not billed.
          [1, 0, 0];
    const reported = parseRateLimitHeaders(outcome.headers);
    const field = (b: ReportedBucket | undefined, k: 'limit' | 'remaining') => {
      const v = b?.[k];
      return v === undefined ? -1 : Math.floor(v);
    };
    const [r, i, o] = await runWorkerScript<[number, number, number]>(
      this.redis,
      'settleGovernor',
      [this.keys.governor(permit.bucketId)],
      [
        permit.charged.requests,
        permit.charged.inputTokens,
        permit.charged.outputTokens,
        ...used,
        ...this.configuredArgs(),
        field(reported?.requests, 'limit'),
        field(reported?.inputTokens, 'limit'),
        field(reported?.outputTokens, 'limit'),
        field(reported?.requests, 'remaining'),
        field(reported?.inputTokens, 'remaining'),
        field(reported?.outputTokens, 'remaining'),
        refused ? 1 : 0,
        permit.tenant ?? '',
        permit.share,
        this.ttlMs,
      ],
    );
    return { requests: r, inputTokens: i, outputTokens: o };
  }

  /** The tenant's rate-limit share: its own setting, else the worker's `tenantShare`, else 0 (none). */
  private async shareOf(tenant: string): Promise<number> {
    const now = Date.now();
    let cached = this.shares.get(tenant);
    if (!cached || now - cached.at > SHARE_CACHE_MS) {
      const raw = await this.redis.hget(this.keys.tenantSettings(tenant), 'share');
      cached = { share: raw ? Number(raw) : undefined, at: now };
      this.shares.set(tenant, cached);
    }
    return cached.share ?? this.tenantShare;
  }

  private configuredArgs(): [number, number, number] {
    return [this.limits.requestsPerMinute, this.limits.inputTokensPerMinute, this.limits.outputTokensPerMinute];
  }
}
