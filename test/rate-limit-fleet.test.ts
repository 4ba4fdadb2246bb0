import type { AgentEvent } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const ITPM = 30_000;

describe('the governor keeps a fleet under the API limit', () => {
  test('two workers sharing an input-token limit pace themselves: every session completes with zero 429s', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [echoAgent()],
      workers: 2,
      worker: { concurrency: 5, governor: { limits: { inputTokensPerMinute: ITPM } } },
      mock: { itpm: ITPM },
    });
    try {
      // One request larger than the whole bucket empties it (the API counts it as one full bucket), so the
      // rest of the run is paced by the refill, 500 tokens/s, rather than by the initial burst.
      const drain = await h.producer.start({ agent: 'rl', input: scripted(`Drain ${'x'.repeat(4 * ITPM + 4000)}`, [{ text: 'drained' }]) });
      expect((await h.producer.wait(drain.sessionId, { timeoutMs: 20_000 })).status).toBe('completed');

      const script = (i: number) => [{ tool: 'echo', input: { value: `a${i}` } }, { tool: 'echo', input: { value: `b${i}` } }, { text: `done ${i}` }];
      const started = await h.producer.startBatch(Array.from({ length: 12 }, (_, i) => ({ agent: 'rl', input: scripted(`Paced session ${i}.`, script(i)) })));
      const ids = started.map((s) => s.sessionId);
      const results = await h.producer.waitAll(ids, { timeoutMs: 50_000 });
      const requests = h.mock.requests();
      const events = (await Promise.all(ids.map((id) => h.producer.events(id)))).flat() as AgentEvent[];
      const waits = events.filter((e) => e.type === 'governor_wait');
      const spanMs = requests.at(-1)!.at - requests[1]!.at;
      console.log(
        `requests ${requests.length}, 429s ${requests.filter((r) => r.status === 429).length}, governor waits ${waits.length} ` +
          `(inline ${waits.filter((w) => w.data.mode === 'inline').length}, pauses ${waits.filter((w) => w.data.mode === 'pause').length}), paced over ${spanMs} ms`,
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill('completed'));
      expect(requests.filter((r) => r.status === 429)).toHaveLength(0);
      expect(requests.filter((r) => r.status === 200)).toHaveLength(1 + 36);
      // The limit really bound: calls waited for the governor.
      expect(waits.length).toBeGreaterThan(0);
      expect(waits.every((w) => typeof w.data.waitMs === 'number' && w.data.reason === 'input_tokens' && w.data.status === null)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
