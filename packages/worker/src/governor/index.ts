export { Governor, type AcquireRequest, type AcquireResult, type GovernorReason, type Permit, type SettleOutcome, type SettleUsage } from './governor.js';
export { DEFAULT_MAX_INLINE_WAIT_MS, type GovernorLimits, type GovernorOptions } from './governor-options.js';
export { governedCreate, type GovernedCreateOptions } from './governed-create.js';
export { estimateInputTokens } from './estimate-input-tokens.js';
export { governorBucketId } from './bucket-id.js';
export { modelFamily } from './model-family.js';
export { parseRateLimitHeaders, type ReportedBucket, type ReportedLimits } from './rate-limit-headers.js';
