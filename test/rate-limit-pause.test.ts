import { type AgentEvent, stepJobId } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';
import { until } from './fixtures/crash-process.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const threeSteps = (tag: string) => [{ tool: 'echo', input: { value: `${tag}-1` } }, { tool: 'echo', input: { value: `${tag}-2` } }, { text: `${tag} done` }];

describe('a 429 pauses the whole fleet', () => {
  test('a 429 with retry-after: 2 holds every worker for ~2 s, then the step succeeds without using an attempt', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [echoAgent()],
      workers: 2,
      worker: { concurrency: 2 },
      mock: { failNext: [{ status: 429, retryAfterSec: 2 }] },
    });
    try {
      const started = await h.producer.startBatch(
        Array.from({ length: 8 }, (_, i) => ({ agent: 'rl', input: scripted(`Session ${i}.`, threeSteps(`s${i}`)) })),
      );
      const ids = started.map((s) => s.sessionId);
      const results = await h.producer.waitAll(ids, { timeoutMs: 30_000 });
      const requests = h.mock.requests();
      const refused = requests.filter((r) => r.status === 429);
      const t0 = refused[0]?.at ?? 0;
      // Requests already in flight when the 429 came back may land a few ms later; nothing may start after.
      const duringPause = requests.filter((r) => r.at > t0 + 250 && r.at < t0 + 1900);
      const afterPause = requests.filter((r) => r.at >= t0 + 1900);
      // A session ends inside its last step's job, just before BullMQ completes that job (and counts its attempt).
      const queue = h.workers[0]!.queue;
      const lastJobsCompleted = async () =>
        (await Promise.all(ids.map((id) => queue.getJobState(stepJobId(id, 2))))).every((s) => s === 'completed') || undefined;
      await until('last step jobs completed', lastJobsCompleted, 5_000, 20).catch(() => undefined);
      const jobs = await Promise.all(ids.flatMap((id) => [0, 1, 2].map((step) => queue.getJob(stepJobId(id, step)))));
      const attemptsMade = jobs.reduce((sum, j) => sum + (j?.attemptsMade ?? 0), 0);
      const restarted = jobs.filter((j) => (j?.attemptsStarted ?? 0) > 1).length;
      const events = (await Promise.all(ids.map((id) => h.producer.events(id)))).flat() as AgentEvent[];
      const pauses = events.filter((e) => e.type === 'rate_limit_pause');
      const workersUsed = new Set(events.filter((e) => e.type === 'model_call').map((e) => e.workerId));
      console.log(
        `requests ${requests.length}, 429s ${refused.length}, during pause ${duringPause.length}, after ${afterPause.length}, ` +
          `attemptsMade ${attemptsMade}, jobs restarted ${restarted}, workers ${workersUsed.size}, completed ${results.filter((r) => r.status === 'completed').length}/8`,
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill('completed'));
      expect(refused).toHaveLength(1);
      expect(duringPause).toHaveLength(0);
      expect(afterPause.length).toBeGreaterThan(0);
      expect(requests.filter((r) => r.status === 200)).toHaveLength(24);
      // BullMQ counts the run that completes a job as its one attempt; the rate-limited run is not counted.
      expect(jobs.every((j) => j?.attemptsMade === 1)).toBe(true);
      expect(attemptsMade).toBe(24);
      expect(restarted).toBeGreaterThanOrEqual(1);
      expect(workersUsed.size).toBe(2);
      expect(pauses).toHaveLength(1);
      expect(pauses[0]?.data).toMatchObject({ waitMs: 2000, status: 429, source: 'api' });
      expect(events.filter((e) => e.type === 'model_error')[0]?.data).toMatchObject({ status: 429, reason: 'model_rate_limited', waitMs: 2000 });
    } finally {
      await h.close();
    }
  });

  test('a spend-limit 429 fails the session at once with the API message, without pausing', async ({ redisUrl, queueName, prefix }) => {
    const message = 'You have reached your specified API usage limits (monthly spend limit). You will regain access on 2026-12-01.';
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [echoAgent()], mock: { failNext: [{ status: 429, message }] } });
    try {
      const { sessionId } = await h.producer.start({ agent: 'rl', input: scripted('Spend.', threeSteps('spend')) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const events = await h.producer.events(sessionId);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('model_spend_limit');
      expect(result.error?.message).toContain('monthly spend limit');
      expect(h.mock.requests()).toHaveLength(1);
      expect(events.filter((e) => e.type === 'rate_limit_pause')).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});
