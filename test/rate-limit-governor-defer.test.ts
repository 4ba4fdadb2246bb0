import type { AgentEvent } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const RPM = 60;

describe('a fleet-wide governor wait defers only the step', () => {
  // A fleet-wide bucket that was short used to pause the whole queue (`rate_limit_pause`, source governor): every
  // step of every tenant stopped, also those that make no model call. Only a provider 429 may do that now.
  test('with the request bucket empty, steps are deferred one by one: no governor pause, every session completes', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [echoAgent()],
      // 60 requests per minute refill one a second; a wait over 100 ms is not slept in place.
      worker: { concurrency: 5, governor: { limits: { requestsPerMinute: RPM }, maxInlineWaitMs: 100 } },
      mock: { rpm: RPM },
    });
    try {
      const script = (i: number) => [{ tool: 'echo', input: { value: `a${i}` } }, { text: `done ${i}` }];
      // 35 sessions x 2 calls = 70 calls: 10 more than the full bucket holds, so the last ones wait for the refill.
      const started = await h.producer.startBatch(Array.from({ length: 35 }, (_, i) => ({ agent: 'rl', input: scripted(`Session ${i}.`, script(i)) })));
      const ids = started.map((s) => s.sessionId);
      const results = await h.producer.waitAll(ids, { timeoutMs: 90_000 });
      const events = (await Promise.all(ids.map((id) => h.producer.events(id)))).flat() as AgentEvent[];
      const pauses = events.filter((e) => e.type === 'rate_limit_pause').length;
      const waits = events.filter((e) => e.type === 'governor_wait');
      const deferrals = events.filter((e) => e.type === 'step_deferred');
      const requests = h.mock.requests();
      console.log(
        `sessions ${results.filter((r) => r.status === 'completed').length}/${ids.length} completed; requests ${requests.length}, 429s ` +
          `${requests.filter((r) => r.status === 429).length}; governor waits: defer ${waits.filter((w) => w.data.mode === 'defer').length}, ` +
          `inline ${waits.filter((w) => w.data.mode === 'inline').length}; step_deferred ${deferrals.length}; queue pauses ${pauses}`,
      );
      expect(results.map((r) => r.status)).toEqual(Array(ids.length).fill('completed'));
      // The governor paces at the provider's own rate, so a 429 is rare: the two buckets refill on their own
      // clocks and can disagree for a moment at the edge. A 429 pauses the queue (source api), as it should.
      const rejected = requests.filter((r) => r.status === 429).length;
      expect(rejected).toBeLessThanOrEqual(2);
      // The limit bound, and each wait longer than the inline limit deferred its step alone.
      expect(waits.filter((w) => w.data.mode === 'defer').length).toBeGreaterThan(0);
      expect(waits.every((w) => w.data.mode === 'defer' || w.data.mode === 'inline')).toBe(true);
      expect(waits.filter((w) => w.data.mode === 'defer').every((w) => w.data.reason === 'requests')).toBe(true);
      expect(deferrals.length).toBe(waits.filter((w) => w.data.mode === 'defer').length);
      // No pause came from the governor; each one answered a real 429.
      expect(events.filter((e) => e.type === 'rate_limit_pause' && e.data.source !== 'api')).toHaveLength(0);
      expect(pauses).toBeLessThanOrEqual(rejected);
    } finally {
      await h.close();
    }
  }, 120_000);
});
