import { Writable } from 'node:stream';
import { defineAgent } from '@agentq/shared';
import { startWorker } from '@agentq/worker';
import { pino } from 'pino';
import { until } from './fixtures/crash-process.js';
import { describe, expect, test } from './support/fixtures.js';
import { drillCounts } from './support/drill-counts.js';
import { startFaultStack } from './support/fault-stack.js';
import { RedisServer } from './support/redis-server.js';

const agent = defineAgent({ name: 'idle', system: 'Test agent.', tools: [] });

describe('Redis down (issue 12, item 4)', () => {
  // The worker said ready while Redis was down, flooded stderr with raw errors every few seconds, /healthz said
  // ok, and SIGTERM with nothing in flight waited out the whole grace period.
  test('readiness follows Redis, one warn per outage with its duration, and close is prompt while Redis is down', async () => {
    const server = await RedisServer.start();
    const lines: Array<{ level: number; msg: string; downMs?: number }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const worker = await startWorker({
      agents: [agent],
      connection: server.url,
      queueName: 'down',
      prefix: 'dn',
      logger,
      metricsPort: 0,
      model: { apiKey: 'k', baseURL: 'http://127.0.0.1:9' },
    });
    let closed = false;
    try {
      const base = worker.metricsServer?.url.replace('/metrics', '') as string;
      const ready = async () => (await fetch(`${base}/readyz`)).status;
      expect(await ready()).toBe(200);

      await server.stop();
      expect(await until('readiness to drop', async () => ((await ready()) === 503 ? 503 : undefined), 20_000)).toBe(503);
      const health = (await (await fetch(`${base}/healthz`)).json()) as { redis: string };
      expect(health.redis).toBe('down');
      // Let the reconnect loop run through several attempts (ioredis's own back-off, counted below).
      await until('reconnect attempts', async () => (worker.health.state().downForMs > 3000 ? true : undefined), 20_000, 100);
      await server.restart();
      expect(await until('readiness back', async () => ((await ready()) === 200 ? 200 : undefined), 30_000)).toBe(200);

      const warns = lines.filter((l) => l.level >= 40);
      const over = warns.filter((l) => l.msg.startsWith('redis available again'));
      console.log(
        `[fault-redis-down] log lines at warn or above during one outage: ${warns.length} (${warns.map((w) => w.msg).join(' | ')}); outage ${over[0]?.downMs} ms`,
      );
      expect(warns.filter((l) => l.msg.startsWith('redis unavailable'))).toHaveLength(1);
      expect(over).toHaveLength(1);
      expect(over[0]?.downMs).toBeGreaterThan(3000);
      expect(warns.length).toBeLessThanOrEqual(3); // the two above, and at most the start-up AOF/eviction warning

      // Redis down again, nothing in flight: close must not wait for Redis to come back.
      await server.stop();
      await until('readiness to drop again', async () => ((await ready()) === 503 ? 503 : undefined), 20_000);
      const outcome = await Promise.race([
        worker.close().then(() => 'closed'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000).unref()),
      ]);
      closed = outcome === 'closed';
      expect(outcome).toBe('closed');
    } finally {
      if (!closed) await worker.kill().catch(() => undefined);
      await server.destroy();
    }
  }, 120_000);

  test('sessions in flight through a Redis outage all end completed: none lost, none stranded, no ghost keys', async () => {
    const server = await RedisServer.start();
    const { h, start } = await startFaultStack(server, 'dn', {
      worker: { lockDurationMs: 5000, stalledIntervalMs: 1000, reconciler: { everyMs: 500, graceMs: 1000 } },
    });
    try {
      const ids = await start(30);
      await until(
        'steps in flight',
        async () => ((await h.producer.stores.sessions.getMany(ids)).some((s) => (s?.step ?? 0) >= 1) ? true : undefined),
        30_000,
        10,
      );
      await server.stop();
      await until('the workers to see the outage', async () => (h.workers.every((w) => w.health.state().downForMs > 2000) ? true : undefined), 20_000, 100);
      await server.restart();
      const results = await h.producer.waitAll(ids, { timeoutMs: 60_000 });
      const counts = await drillCounts('redis down and back', h.producer.stores, 'dn', ids);
      expect(results.map((r) => r.status)).toEqual(Array(30).fill('completed'));
      expect(counts).toEqual({ lost: 0, stranded: 0, ghostKeys: 0 });
    } finally {
      await h.close();
      await server.destroy();
    }
  }, 120_000);
});
