/** Per-minute limits of one API key and model family, as the Anthropic console lists them. */
export interface GovernorLimits {
  /** Requests per minute (env AGENTQ_RPM_LIMIT). @defaultValue learned from `anthropic-ratelimit-requests-limit` */
  requestsPerMinute?: number | undefined;
  /** Input tokens per minute (env AGENTQ_ITPM_LIMIT). @defaultValue learned from `anthropic-ratelimit-input-tokens-limit` */
  inputTokensPerMinute?: number | undefined;
  /** Output tokens per minute (env AGENTQ_OTPM_LIMIT). @defaultValue learned from `anthropic-ratelimit-output-tokens-limit` */
  outputTokensPerMinute?: number | undefined;
}

export interface GovernorOptions {
  /**
   * The API key whose limits are shared; only a truncated sha256 of it is used, to name the buckets.
   * @defaultValue process.env.ANTHROPIC_API_KEY, else 'no-key'
   */
  apiKey?: string | undefined;
  /**
   * Configured limits. Where the response headers also report a limit, the lower of the two applies, so a
   * configured limit can keep this fleet below an organisation limit shared with other clients.
   * @defaultValue none: every limit is learned from the headers of the first responses
   */
  limits?: GovernorLimits;
  /**
   * A reservation due within this many ms is granted in advance and the step sleeps until it is due; a longer
   * wait pauses the whole queue for it instead, so no worker slot is held.
   * @defaultValue 1000
   */
  maxInlineWaitMs?: number;
  /**
   * When set (0 < share < 1), each tenant may use at most this fraction of every limit, so one tenant's
   * burst cannot starve the others; a tenant over it has only its own steps deferred. Sessions without a
   * tenant are the default tenant. A tenant's own share (`producer.tenants.setShare`) overrides this.
   * @defaultValue undefined (off; the binary reads AGENTQ_TENANT_SHARE)
   */
  tenantShare?: number | undefined;
  /** How long idle bucket state stays in Redis. @defaultValue 3600000 */
  stateTtlMs?: number;
}

export const DEFAULT_MAX_INLINE_WAIT_MS = 1000;
export const DEFAULT_GOVERNOR_TTL_MS = 3_600_000;
