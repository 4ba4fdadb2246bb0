import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const MAX_AGE_MS = 1000;

describe('the batch lane flusher never strands a parked call', () => {
  // A call left in the buffer after a flush (a full-buffer flush took the calls before it) got its next flush
  // scheduled under the id of the flush job that was running, or had completed; BullMQ ignores an add whose id
  // exists, so no flush came for it and its session waited until some other session parked a call.
  test('a call parked behind a full batch is flushed on its own: every session completes, the buffer ends empty', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [echoAgent()],
      mock: { batchDelayMs: 20 },
      // Two calls fill a batch; a lone call waits up to a second for company.
      worker: { concurrency: 10, batch: { maxBatchSize: 2, maxAgeMs: MAX_AGE_MS, pollIntervalMs: 50 } },
    });
    try {
      // Start at the beginning of a flush window, so all three calls fall in the same one.
      while (Date.now() % MAX_AGE_MS > 100) await new Promise((r) => setTimeout(r, 10));
      // Two calls fill a batch and are flushed at once; a third, parked a little later in the same window, is
      // left for the window's timed flush, which runs before that call is due.
      const started = await h.producer.startBatch(
        Array.from({ length: 2 }, (_, i) => ({ agent: 'rl', input: scripted(`Full batch ${i}.`, [{ text: `done ${i}` }]), urgency: 'batch' as const })),
      );
      await new Promise((r) => setTimeout(r, 300));
      started.push(await h.producer.start({ agent: 'rl', input: scripted('Lone call.', [{ text: 'done' }]), urgency: 'batch' }));
      const results = await h.producer.waitAll(
        started.map((s) => s.sessionId),
        { timeoutMs: 20_000 },
      );
      const lane = await h.workers[0]!.deps.batch!.counts();
      console.log(`completed ${results.filter((r) => r.status === 'completed').length}/3, lane left ${JSON.stringify(lane)}`);
      expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      expect(lane).toEqual({ pending: 0, claims: 0, inflight: 0, calls: 0 });
    } finally {
      await h.close();
    }
  }, 60_000);
});
