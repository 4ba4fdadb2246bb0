import { startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { spawnWorker, until, workerEnv } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted } from './support/harness.js';

describe('graceful shutdown of a real worker process', () => {
  test('SIGTERM mid-step: the step finishes, the process exits 0, no job is left active or stalled', async ({ redisUrl, redis, queueName, prefix }) => {
    const mock = await startMockAnthropic({});
    const producer = new AgentProducer({ connection: redisUrl, queueName, prefix, stepBackoffMs: 50 });
    const env = workerEnv({ redisUrl, queueName, prefix, mockUrl: mock.url }, { AGENTQ_SHUTDOWN_GRACE_MS: '30000' });
    const first = spawnWorker('test/fixtures/crash-agents.mjs', env);
    let second: ReturnType<typeof spawnWorker> | undefined;
    try {
      await first.ready;
      const { sessionId } = await producer.start({
        agent: 'crash',
        input: scripted('sigterm drain', [{ tool: 'slow', input: { ms: 1500 } }, { text: 'drained' }]),
      });
      await until('the slow tool to start', async () => ((await redis.hlen(`${prefix}:crashtest:slow-started`)) > 0 ? true : undefined), 60_000);

      first.child.kill('SIGTERM');
      const code = await first.exited;
      const finished = await redis.hgetall(`${prefix}:crashtest:slow-finished`);
      const session = await producer.get(sessionId);
      const counts = await producer.queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed', 'failed');
      console.log(
        `[crash-sigterm] exit=${code} slowFinished=${Object.keys(finished).length} sessionStep=${session?.step} status=${session?.status} jobs=${JSON.stringify(counts)}`,
      );
      expect(code).toBe(0);
      expect(Object.values(finished)).toEqual(['1']); // the in-flight tool ran to the end
      expect(session?.step).toBe(1); // and its step committed
      expect(counts.active).toBe(0);
      expect(counts.failed).toBe(0);
      // The next step, for whichever worker comes next (step jobs carry their tenant's priority).
      expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);

      second = spawnWorker('test/fixtures/crash-agents.mjs', env);
      const result = await producer.wait(sessionId, { timeoutMs: 60_000 });
      expect(result.status).toBe('completed');
      expect(Object.values(await redis.hgetall(`${prefix}:crashtest:slow-started`))).toEqual(['1']);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await producer.close();
      await mock.close();
    }
  }, 150_000);

  test('a second signal exits at once; the step returns through stall detection and the non-idempotent call is not run again', async ({
    redisUrl,
    redis,
    queueName,
    prefix,
  }) => {
    const mock = await startMockAnthropic({});
    const producer = new AgentProducer({ connection: redisUrl, queueName, prefix, stepBackoffMs: 50 });
    const env = workerEnv(
      { redisUrl, queueName, prefix, mockUrl: mock.url },
      { AGENTQ_LOCK_DURATION_MS: '2000', AGENTQ_STALLED_INTERVAL_MS: '1000', AGENTQ_LOG_LEVEL: 'info' },
    );
    const first = spawnWorker('test/fixtures/crash-agents.mjs', env);
    let second: ReturnType<typeof spawnWorker> | undefined;
    try {
      await first.ready;
      const { sessionId } = await producer.start({
        agent: 'crash',
        input: scripted('sigterm twice', [{ tool: 'slow', input: { ms: 20_000 } }, { text: 'after' }]),
      });
      await until('the slow tool to start', async () => ((await redis.hlen(`${prefix}:crashtest:slow-started`)) > 0 ? true : undefined), 60_000);
      first.child.kill('SIGTERM');
      // Two signals sent at once may reach the process as one: send the second once the first is being handled.
      await until('the worker to start draining', async () => (first.stdout().includes('draining') ? true : undefined), 30_000, 10);
      first.child.kill('SIGTERM');
      const code = await first.exited;
      expect(code).not.toBe(0);

      second = spawnWorker('test/fixtures/crash-agents.mjs', env);
      const result = await producer.wait(sessionId, { timeoutMs: 60_000 });
      const history = await producer.history(sessionId);
      const toolResult = (history[2]?.message.content as Array<{ is_error?: boolean; content: string }>)[0];
      const unknown = (await producer.events(sessionId)).filter((e) => e.type === 'tool_outcome_unknown').length;
      const started = Object.values(await redis.hgetall(`${prefix}:crashtest:slow-started`));
      console.log(`[crash-sigterm] second-signal exit=${code} status=${result.status} slowStarted=${started.join(',')} outcomeUnknownEvents=${unknown}`);
      expect(result.status).toBe('completed');
      expect(started).toEqual(['1']); // never run a second time
      expect(unknown).toBe(1);
      expect(toolResult?.is_error).toBe(true);
      expect(toolResult?.content).toMatch(/outcome of this slow call is unknown/);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await producer.close();
      await mock.close();
    }
  }, 150_000);
  // Before the fix a step job BullMQ failed for stalling too often left its session `running` with no job.
  test('a step that stalls more than maxStalledCount times ends its session failed, not stuck running', async ({ redisUrl, redis, queueName, prefix }) => {
    const mock = await startMockAnthropic({});
    const producer = new AgentProducer({ connection: redisUrl, queueName, prefix, stepBackoffMs: 50 });
    const env = workerEnv(
      { redisUrl, queueName, prefix, mockUrl: mock.url },
      { AGENTQ_LOCK_DURATION_MS: '2000', AGENTQ_STALLED_INTERVAL_MS: '1000', AGENTQ_MAX_STALLED_COUNT: '0' },
    );
    const first = spawnWorker('test/fixtures/crash-agents.mjs', env);
    let second: ReturnType<typeof spawnWorker> | undefined;
    try {
      await first.ready;
      const { sessionId } = await producer.start({
        agent: 'crash',
        input: scripted('stall out', [{ tool: 'slow', input: { ms: 20_000 } }, { text: 'never' }]),
      });
      await until('the slow tool to start', async () => ((await redis.hlen(`${prefix}:crashtest:slow-started`)) > 0 ? true : undefined), 60_000);
      first.child.kill('SIGKILL');
      await first.exited;
      second = spawnWorker('test/fixtures/crash-agents.mjs', env);
      const result = await producer.wait(sessionId, { timeoutMs: 60_000 });
      const counts = await producer.queue.getJobCounts('active', 'waiting', 'delayed', 'failed');
      console.log(`[crash-sigterm] stalled-out status=${result.status} code=${result.error?.code} jobs=${JSON.stringify(counts)}`);
      expect(result.status).toBe('failed');
      expect(result.error?.code).toBe('internal');
      expect(result.error?.message).toMatch(/stalled more than maxStalledCount/);
      expect(counts.failed).toBe(1);
      expect(counts.active).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      await producer.close();
      await mock.close();
    }
  }, 150_000);
});
