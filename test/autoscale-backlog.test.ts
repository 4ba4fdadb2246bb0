import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readRunnableBacklog, type RunnableBacklog } from '@agentq/shared';
import { type ConnectionOptions, Queue } from 'bullmq';
import { describe, expect, test } from './support/fixtures.js';

const CLI = fileURLToPath(new URL('../packages/producer/dist/bin/agentq.js', import.meta.url));

/** Resolves once `predicate` holds, polling; throws after `timeoutMs`. */
async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The value of one series in Prometheus exposition text. */
function series(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('runnable backlog, the autoscaling signal', () => {
  // A KEDA Redis-list scaler on bull:agentq:wait missed due delayed steps (backoffs, deferrals) and counted steps
  // that could not run yet.
  test('counts waiting, prioritized and due delayed jobs; delayed jobs not yet due are not counted', async ({ redis, queueName }) => {
    const queue = new Queue(queueName, { connection: redis as unknown as ConnectionOptions });
    try {
      await queue.add('step', {}, { jobId: 'w1' });
      await queue.add('step', {}, { jobId: 'w2' });
      await queue.add('step', {}, { jobId: 'p1', priority: 3 });
      await queue.add('step', {}, { jobId: 'future', delay: 3_600_000 });
      const soon = await queue.add('step', {}, { jobId: 'due', delay: 20 });
      await until('the short delay to pass', () => Date.now() > soon.timestamp + 20);

      const backlog = await readRunnableBacklog([queue]);
      console.log(`[backlog] ${JSON.stringify(backlog)}`);
      expect(backlog.queues[0]).toMatchObject({
        queue: queueName,
        waiting: 2,
        prioritized: 1,
        dueDelayed: 1,
        futureDelayed: 1,
        ready: 4,
        paused: false,
        rateLimitPauseMs: 0,
      });
      expect(backlog).toMatchObject({ ready: 4, active: 0, demand: 4 });
      // An hour later the long delay is due too.
      expect((await readRunnableBacklog([queue], Date.now() + 3_600_001)).ready).toBe(5);
    } finally {
      await queue.close();
    }
  });

  // Scaling up during a provider 429 adds workers that can only wait for the retry-after.
  test('a queue held by a 429 rate-limit pause or an operator pause counts 0 ready steps', async ({ redis, queueName }) => {
    const queue = new Queue(queueName, { connection: redis as unknown as ConnectionOptions });
    try {
      await queue.add('step', {}, { jobId: 'a' });
      await queue.add('step', {}, { jobId: 'b' });
      expect((await readRunnableBacklog([queue])).ready).toBe(2);
      // What the worker's pauseQueue does after a 429: the limiter key at its max, with the retry-after as TTL.
      await queue.rateLimit(60_000);
      const paused = await readRunnableBacklog([queue]);
      expect(paused.ready).toBe(0);
      expect(paused.queues[0]?.waiting).toBe(2);
      expect(paused.queues[0]?.rateLimitPauseMs).toBeGreaterThan(50_000);
      await queue.removeRateLimitKey();
      expect((await readRunnableBacklog([queue])).ready).toBe(2);
      await queue.pause();
      expect(await readRunnableBacklog([queue])).toMatchObject({ ready: 0, queues: [{ paused: true }] });
      await queue.resume();
      expect((await readRunnableBacklog([queue])).ready).toBe(2);
    } finally {
      await queue.close();
    }
  });

  test('sums the queues it is given and reports each', async ({ redis, queueName }) => {
    const first = new Queue(`${queueName}-a`, { connection: redis as unknown as ConnectionOptions });
    const second = new Queue(`${queueName}-b`, { connection: redis as unknown as ConnectionOptions });
    try {
      await first.add('step', {}, { jobId: 'a1' });
      await second.add('step', {}, { jobId: 'b1' });
      await second.add('step', {}, { jobId: 'b2' });
      await second.rateLimit(60_000);
      const backlog = await readRunnableBacklog([first, second]);
      expect(backlog.queues.map((q) => [q.queue, q.ready])).toEqual([
        [`${queueName}-a`, 1],
        [`${queueName}-b`, 0],
      ]);
      expect(backlog.ready).toBe(1);
    } finally {
      await first.obliterate({ force: true });
      await second.obliterate({ force: true });
      await first.close();
      await second.close();
    }
  });

  test('agentq metrics serves the gauges and the backlog over HTTP without a token', async ({ redis, redisUrl, queueName, prefix }) => {
    const queue = new Queue(queueName, { connection: redis as unknown as ConnectionOptions });
    const child = spawn(process.execPath, [CLI, 'metrics', '--port', '0', '--json'], {
      env: { ...process.env, REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix, AGENTQ_DASHBOARD_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await queue.add('step', {}, { jobId: 'x1' });
      await queue.add('step', {}, { jobId: 'x2' });
      await queue.add('step', {}, { jobId: 'later', delay: 3_600_000 });
      // --json prints one object over several lines: read until it closes.
      const lines = createInterface({ input: child.stdout });
      let text = '';
      for await (const line of lines) {
        text += line;
        if (line === '}') break;
      }
      const { url } = JSON.parse(text) as { url: string };

      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      const body = await metrics.text();
      expect(series(body, 'agentq_runnable_steps', `queue="${queueName}"`)).toBe(2);
      expect(series(body, 'agentq_queue_jobs', 'state="delayed"')).toBe(1);
      expect(series(body, 'agentq_queue_jobs', 'state="waiting"')).toBe(2);
      expect(series(body, 'agentq_queue_held', `queue="${queueName}"`)).toBe(0);

      const backlog = (await (await fetch(`${url}/backlog`)).json()) as RunnableBacklog;
      expect(backlog).toMatchObject({ ready: 2, demand: 2 });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      await queue.rateLimit(60_000);
      const held = await (await fetch(`${url}/metrics`)).text();
      expect(series(held, 'agentq_runnable_steps', `queue="${queueName}"`)).toBe(0);
      expect(series(held, 'agentq_queue_held', `queue="${queueName}"`)).toBe(1);
      expect(((await (await fetch(`${url}/backlog`)).json()) as RunnableBacklog).ready).toBe(0);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await queue.close();
    }
    expect(child.exitCode).toBe(0);
  });
});
