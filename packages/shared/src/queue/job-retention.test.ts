import { describe, expect, test } from 'vitest';
import { retentionFromEnv } from '../session/retention.js';
import { jobRetentionFor } from './job-retention.js';
import { stepJobOptions } from './step-jobs.js';

describe('job retention follows the session TTLs (issue 12, item 14)', () => {
  // Step job hashes stayed 24 h (failed ones 7 days) whatever AGENTQ_RESULT_TTL_MS said.
  test('a result TTL of an hour keeps finished jobs an hour, failed ones too', () => {
    const retention = jobRetentionFor(retentionFromEnv({ AGENTQ_RESULT_TTL_MS: '3600000', AGENTQ_SESSION_TTL_MS: '3600000' }));
    expect(retention).toEqual({ removeOnComplete: { age: 3600, count: 100_000 }, removeOnFail: { age: 3600 } });
    const opts = stepJobOptions('s-s0', {}, undefined, undefined, retention);
    expect(opts.removeOnComplete).toEqual({ age: 3600, count: 100_000 });
    expect(opts.removeOnFail).toEqual({ age: 3600 });
  });

  test('the defaults keep a day and a week; 0 (keep forever) does not lift them', () => {
    expect(jobRetentionFor(retentionFromEnv({}))).toEqual({ removeOnComplete: { age: 86_400, count: 100_000 }, removeOnFail: { age: 604_800 } });
    expect(jobRetentionFor({ sessionTtlMs: 0, resultTtlMs: 0, checkpointTtlMs: 0 }).removeOnFail).toEqual({ age: 604_800 });
  });
});
