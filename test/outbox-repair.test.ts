import { addJob, stepJobId } from '@agentq/shared';
import { Keys, outboxField } from '@agentq/shared/internal';
import { describe, expect, test } from './support/fixtures.js';
import { until } from './fixtures/crash-process.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

// A worker killed after a checkpoint write but before copying the write's events to the global stream leaves
// them in the checkpoint's outbox; the step's retried job copies them. The retry can run late: once the
// session went two steps further, or ended at a later step. It broke there: the retry saw a step that had
// moved on and copied nothing, so the cluster kill test counted 299 model_call events for 300 model calls.

describe('a retried step job copies the outbox its dead attempt left, however far the session went on', () => {
  for (const finalStatus of ['running', 'completed'] as const) {
    test(`session ${finalStatus === 'running' ? 'two steps further' : 'ended at a later step'}`, async ({ redisUrl, redis, queueName, prefix }) => {
      const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()] });
      try {
        const script = [{ tool: 'echo', input: { value: 'a' } }, { tool: 'echo', input: { value: 'b' } }, { text: 'done' }];
        const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Outbox.', script) });
        const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
        expect(result.status).toBe('completed');
        const keys = new Keys(prefix);
        if (finalStatus === 'running') await redis.hset(keys.session(sessionId), 'status', 'running', 'step', '2');

        // What the dead attempt of step 0 left: an event its checkpoint script wrote, never copied.
        const lost = h.producer.stores.events.encode({ sessionId, step: 0, type: 'step_stale', data: { reason: 'outbox-marker' } });
        await redis.hset(keys.checkpoint(sessionId, 0), outboxField('dead-attempt:1'), JSON.stringify([lost]));

        const marker = async () =>
          (await h.producer.stores.events.since(0)).filter((e) => e.sessionId === sessionId && e.type === 'step_stale' && e.data.reason === 'outbox-marker');
        expect(await marker()).toHaveLength(0);
        // The step's retry (a redelivered job of step 0).
        await addJob(h.workers[0]!.queue, 'step', { sessionId, step: 0 }, { jobId: stepJobId(sessionId, 0, 'retry') });
        await until('the left event copied', async () => (await marker()).length > 0 || undefined, 10_000).catch(() => undefined);
        expect(await marker()).toHaveLength(1);
        expect(await redis.hget(keys.checkpoint(sessionId, 0), outboxField('dead-attempt:1'))).toBeNull();
      } finally {
        await h.close();
      }
    });
  }
});
