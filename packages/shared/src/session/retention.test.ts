import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, retentionFromEnv } from './retention.js';

describe('retentionFromEnv', () => {
  it('defaults to 7 days of session data, 30 days of results and 1 day of committed checkpoints', () => {
    expect(retentionFromEnv({})).toEqual(DEFAULT_RETENTION);
    expect(DEFAULT_RETENTION).toEqual({ sessionTtlMs: 604_800_000, resultTtlMs: 2_592_000_000, checkpointTtlMs: 86_400_000 });
  });

  it('reads the variables, blank meaning unset and 0 meaning keep forever', () => {
    expect(retentionFromEnv({ AGENTQ_SESSION_TTL_MS: '60000', AGENTQ_RESULT_TTL_MS: ' ', AGENTQ_CHECKPOINT_TTL_MS: '0' })).toEqual({
      sessionTtlMs: 60_000,
      resultTtlMs: DEFAULT_RETENTION.resultTtlMs,
      checkpointTtlMs: 0,
    });
  });

  it('names the bad variable', () => {
    expect(() => retentionFromEnv({ AGENTQ_RESULT_TTL_MS: 'a month' })).toThrow(/AGENTQ_RESULT_TTL_MS="a month"/);
  });
});
