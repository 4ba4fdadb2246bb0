import { startDashboard, type QueueStatus } from '@agentq/producer';
import { cli } from './support/cli.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const TOKEN = 'queue-control-token-0123456789';
const steps = [{ tool: 'echo', input: { value: 'x' } }, { text: 'done' }];

describe('queue pauses are bounded and operators can lift them (issue 12, item 8)', () => {
  // retry-after: 86400 paused the whole queue for 24 h with no way to lift it.
  test('a 429 asking for a day pauses the fleet only up to the configured maximum, then the call re-probes', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [echoAgent()],
      worker: { queuePause: { maxQueuePauseMs: 1000 } },
      mock: { failNext: [{ status: 429, retryAfterSec: 86_400 }] },
    });
    try {
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Pause.', steps) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const pauses = (await h.producer.events(sessionId)).filter((e) => e.type === 'rate_limit_pause');
      console.log(`retry-after 86400 s: status ${result.status}, pauses ${JSON.stringify(pauses.map((p) => p.data))}`);
      expect(result.status).toBe('completed');
      expect(pauses).toHaveLength(1);
      expect(pauses[0]?.data).toMatchObject({ waitMs: 86_400_000, pauseMs: 1000 });
    } finally {
      await h.close();
    }
  });

  test('agentq queue status|pause|resume and the dashboard API hold and release the fleet, and lift a rate-limit pause', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    // The worker starts after the resume: a worker already waiting out a rate-limit pause wakes only when its
    // own wait ends (at most maxQueuePauseMs), as BullMQ keeps that wait in the process.
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()], workers: 0 });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
    const api = async (method: string, path: string) =>
      (await (await fetch(`${d.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, origin: d.url } })).json()) as QueueStatus;
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const paused = JSON.parse((await cli(env, ['queue', 'pause', '--json'])).stdout) as QueueStatus;
      expect(paused.paused).toBe(true);
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Held.', steps) });
      const held = await api('GET', '/api/queue');
      expect(held).toMatchObject({ paused: true, counts: { active: 0 } });
      expect((await h.producer.get(sessionId))?.status).toBe('queued');
      // a rate-limit pause of an hour, as a 429 before the clamp could set
      await h.producer.queue.rateLimit(3_600_000);
      expect((await api('GET', '/api/queue')).rateLimitPauseMs).toBeGreaterThan(3_000_000);
      const resumed = await api('POST', '/api/queue/resume');
      expect(resumed).toMatchObject({ paused: false, rateLimitPauseMs: 0 });
      await h.startWorker();
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      const status = (await cli(env, ['queue', 'status'])).stdout;
      expect(status).toContain(`${queueName}: running`);
    } finally {
      await d.close();
      await h.close();
    }
  });
});
