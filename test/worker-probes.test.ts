import { defineAgent } from '@agentq/shared';
import { startWorker } from '@agentq/worker';
import { pino } from 'pino';
import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { RedisServer } from './support/redis-server.js';

const agent = defineAgent({ name: 'idle', system: 'Test agent.', tools: [] });
const quiet = pino({ level: 'silent' });
const model = { apiKey: 'k', baseURL: 'http://127.0.0.1:9' };

interface Probe {
  status: number;
  body: Record<string, unknown>;
}
async function probe(base: string, path: '/healthz' | '/readyz'): Promise<Probe> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('worker probes for Kubernetes', () => {
  // /readyz said ready before the worker took its queue (and while it was closing): a pod counted as ready
  // took no steps.
  test('readiness waits for the worker to take its queue and drops when it closes', async ({ redisUrl, queueName, prefix }) => {
    const worker = await startWorker({ agents: [agent], connection: redisUrl, queueName, prefix, logger: quiet, metricsPort: 0, autorun: false, model });
    const base = worker.metricsServer?.url.replace('/metrics', '') as string;
    try {
      const before = await probe(base, '/readyz');
      expect(before.status).toBe(503);
      expect(before.body).toMatchObject({ status: 'unavailable', redis: 'up', queues: 'not taken' });
      expect((await probe(base, '/healthz')).status).toBe(200);

      void worker.worker.run();
      const ready = await until('readiness', async () => ((await probe(base, '/readyz')).status === 200 ? true : undefined), 10_000, 20);
      expect(ready).toBe(true);
      expect((await probe(base, '/readyz')).body).toMatchObject({ status: 'ok', redis: 'up', queues: 'taken' });

      // Served by every worker, no token: the queue gauges and the runnable backlog.
      const metrics = await (await fetch(worker.metricsServer?.url as string)).text();
      expect(metrics).toContain(`agentq_runnable_steps{queue="${queueName}",worker="${worker.id}"} 0`);
      expect(metrics).toContain(`agentq_queue_jobs{queue="${queueName}",state="waiting",worker="${worker.id}"} 0`);
    } finally {
      await worker.close();
    }
  });

  // Liveness followed Redis: Kubernetes would restart every worker pod during a Redis blip, dropping their steps.
  test('liveness stays 200 while Redis is down; readiness drops', async () => {
    const server = await RedisServer.start();
    const worker = await startWorker({ agents: [agent], connection: server.url, queueName: 'probes', prefix: 'pr', logger: quiet, metricsPort: 0, model });
    let closed = false;
    try {
      const base = worker.metricsServer?.url.replace('/metrics', '') as string;
      expect((await probe(base, '/readyz')).status).toBe(200);
      await server.stop();
      expect(await until('readiness to drop', async () => ((await probe(base, '/readyz')).status === 503 ? true : undefined), 20_000)).toBe(true);
      const live = await probe(base, '/healthz');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ status: 'ok', redis: 'down' });
      // The queue gauges wait on Redis: without them /metrics still answers, with the worker's own series.
      const metrics = await fetch(worker.metricsServer?.url as string);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('agentq_steps_active{');
      expect(text).not.toContain('agentq_runnable_steps{');
      await worker.close();
      closed = true;
    } finally {
      if (!closed) await worker.kill().catch(() => undefined);
      await server.destroy();
    }
  }, 60_000);

  // Nothing checked the event loop: a worker stuck in a CPU loop could not renew its locks yet looked alive.
  test('liveness fails when the event loop was blocked longer than the bound', async ({ redisUrl, queueName, prefix }) => {
    const worker = await startWorker({
      agents: [agent],
      connection: redisUrl,
      queueName,
      prefix,
      logger: quiet,
      metricsPort: 0,
      maxEventLoopDelayMs: 100,
      model,
    });
    const base = worker.metricsServer?.url.replace('/metrics', '') as string;
    try {
      expect((await probe(base, '/healthz')).status).toBe(200);
      // Block the loop for 400 ms, as a runaway synchronous computation would.
      const end = Date.now() + 400;
      while (Date.now() < end) {
        // busy: no timer, no I/O runs meanwhile
      }
      // The histogram takes the late tick in a later timers phase: poll until it has, with a deadline.
      const live = await until(
        'liveness to see the block',
        async () => {
          const p = await probe(base, '/healthz');
          return p.status === 503 ? p : undefined;
        },
        3000,
        20,
      );
      console.log(`[probes] liveness after a 400 ms block: ${live.status} ${JSON.stringify(live.body)}`);
      expect(live.status).toBe(503);
      expect(live.body.eventLoopDelayMs).toBeGreaterThan(100);
      expect(live.body.maxEventLoopDelayMs).toBe(100);
    } finally {
      await worker.close();
    }
  });
});
