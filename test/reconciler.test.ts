import { approvalTimeoutJobId, RECONCILER_SCHEDULER_ID } from '@agentq/shared';
import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { lookupTask, parkedSession, refundAgent } from './support/dashboard-fixture.js';
import { startHarness } from './support/harness.js';

const reconciler = { everyMs: 200, graceMs: 300 };

describe('the reconciler (issue 12, item 1)', () => {
  // Before it, nothing repaired a session whose job was gone: it stayed running, queued or parked for good.
  test('repairs running/queued sessions with no step job, parked ones with nothing to decide, and approvals with no timeout job', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()], workers: 0 });
    try {
      // 1. queued with no job: the step jobs of 3 sessions are removed before any worker runs
      const queued = await Promise.all(['Q-1', 'Q-2', 'Q-3'].map((o) => h.producer.start({ agent: 'support', input: lookupTask(o) })));
      for (const { sessionId } of queued) await h.producer.queue.remove(`${sessionId}-s0`);
      await h.startWorker({ reconciler });
      const schedulers = await h.producer.queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toEqual([RECONCILER_SCHEDULER_ID]);

      // 2. a pending approval whose timeout job was lost
      const parked = await parkedSession(h, 'P-1');
      await h.producer.queue.remove(approvalTimeoutJobId(parked.approvalId));
      // 3. an approval decided in the store, without the API's resume: the session has no job to run
      const decided = await parkedSession(h, 'P-2');
      await h.producer.stores.approvals.decide(decided.approvalId, { decision: 'approved', by: 'ops' });
      // 4. an index entry whose session record is gone
      await h.producer.stores.redis.zadd(h.producer.stores.keys.sessionIndex(), 1, 'ses_gone');

      const results = await h.producer.waitAll([...queued.map((q) => q.sessionId), decided.sessionId], { timeoutMs: 20_000 });
      const timeoutState = await until(
        'the timeout job to be back',
        async () => {
          const state = await h.producer.queue.getJobState(approvalTimeoutJobId(parked.approvalId));
          return state === 'delayed' ? state : undefined;
        },
        20_000,
      );
      const trimmed = await until(
        'the ghost index entry to be trimmed',
        async () => ((await h.producer.stores.redis.zscore(h.producer.stores.keys.sessionIndex(), 'ses_gone')) === null ? true : undefined),
        20_000,
      );
      const repairs = (await h.producer.stores.events.since(0, { types: ['session_reconciled'] })).map((e) => e.data.action as string);
      console.log(`reconciler: results ${results.map((r) => r.status).join(',')}, timeout job ${timeoutState}, repairs ${JSON.stringify(repairs)}`);
      expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
      expect((await h.producer.get(parked.sessionId))?.status).toBe('awaiting_approval');
      expect(trimmed).toBe(true);
      expect(repairs.filter((a) => a === 'requeued')).toHaveLength(4);
      expect(repairs.filter((a) => a === 'approval_timeout_restored')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
