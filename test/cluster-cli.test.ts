import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import type { SessionResult } from '@agentq/shared';
import { describe, expect, test } from 'vitest';
import { type WorkerProcess, spawnWorker } from './fixtures/crash-process.js';
import { cli } from './support/cli.js';
import { useCluster } from './support/cluster-fixture.js';
import { scripted } from './support/harness.js';

const CLI = fileURLToPath(new URL('../packages/producer/dist/bin/agentq.js', import.meta.url));
const TOKEN = 'cluster-cli-dashboard-token-0123456789';

// The binaries, configured by the environment alone: REDIS_CLUSTER_NODES and AGENTQ_QUEUE_SHARDS (REDIS_URL
// points at a closed port, so any connection that ignored the cluster setting would fail).
describe('agentq enqueue, agentq-worker and agentq dashboard on a Redis Cluster', () => {
  const c = useCluster();

  test('a worker process and the CLI run sessions over 3 shards; the dashboard reads them all', async () => {
    const mock = await startMockAnthropic({});
    const { queueName, prefix } = c.names();
    const env = {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: c.cluster().nodes.join(','),
      AGENTQ_QUEUE_SHARDS: '3',
      AGENTQ_QUEUE: queueName,
      AGENTQ_PREFIX: prefix,
      ANTHROPIC_BASE_URL: mock.url,
      AGENTQ_DASHBOARD_TOKEN: TOKEN,
    };
    const dir = mkdtempSync(join(tmpdir(), 'agentq-cluster-cli-'));
    let worker: WorkerProcess | undefined;
    const dashboard = spawn(process.execPath, [CLI, 'dashboard', '--port', '0', '--json'], {
      env: { ...process.env, ...env, AGENTQ_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let dashboardErr = '';
    dashboard.stderr.on('data', (chunk: Buffer) => (dashboardErr += chunk.toString()));
    try {
      worker = spawnWorker('test/fixtures/crash-agents.mjs', env);
      await worker.ready;
      const file = join(dir, 'sessions.jsonl');
      const lines = Array.from({ length: 9 }, (_, i) => ({
        agent: 'crash',
        input: scripted(`look ${i}`, [{ tool: 'lookup', input: { q: `q${i}` } }, { text: `found ${i}` }]),
      }));
      writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const results = JSON.parse((await cli(env, ['enqueue', file, '--wait', '--json'])).stdout) as SessionResult[];
      expect(results.map((r) => [r.status, r.output])).toEqual(lines.map((_, i) => ['completed', `found ${i}`]));

      const listed = JSON.parse((await cli(env, ['sessions', '--json'])).stdout) as Array<{ sessionId: string; status: string }>;
      expect(listed).toHaveLength(9);
      const queues = JSON.parse((await cli(env, ['queue', 'status', '--json'])).stdout) as Array<{ queue: string; counts: { waiting: number } }>;
      expect(queues).toHaveLength(3);
      const one = JSON.parse((await cli(env, ['queue', 'status', '--shard', '1', '--json'])).stdout) as { queue: string };
      expect(one.queue).toBe(queues[1]?.queue);

      const address = await new Promise<{ url: string }>((resolve, reject) => {
        // `--json` prints the address as indented JSON once listening.
        let out = '';
        dashboard.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const end = out.indexOf('\n}');
          if (end !== -1) resolve(JSON.parse(out.slice(out.indexOf('{'), end + 2)) as { url: string });
        });
        dashboard.once('exit', (code) => reject(new Error(`dashboard exited ${code}: ${dashboardErr}`)));
      });
      const get = async (path: string) => {
        const res = await fetch(`${address.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status).toBe(200);
        return res;
      };
      const count = ((await (await get('/api/sessions')).json()) as { sessions: unknown[] }).sessions.length;
      const queueStatus = (await (await get('/api/queue')).json()) as unknown[];
      const metrics = await (await get('/metrics')).text();
      const queueSeries = new Set([...metrics.matchAll(/agentq_queue_jobs\{queue="([^"]+)"/g)].map((m) => m[1]));
      const completedSessions = /agentq_sessions\{status="completed"\} (\d+)/.exec(metrics)?.[1];
      console.log(
        `[cluster-cli] enqueue --wait: ${results.length} completed; dashboard sessions=${count} queues=${queueStatus.length} metric queues=${[...queueSeries].join(',')} completed=${completedSessions}`,
      );
      expect(count).toBe(9);
      expect(queueStatus).toHaveLength(3);
      expect(queueSeries.size).toBe(3);
      expect(completedSessions).toBe('9');
    } finally {
      dashboard.kill('SIGTERM');
      worker?.child.kill('SIGTERM');
      await worker?.exited;
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
