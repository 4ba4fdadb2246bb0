import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisServerAvailable, retryIfPortTaken, spawnRedisServer } from './redis-server.js';

const START_TIMEOUT_MS = 30_000;

/**
 * A private Redis Cluster of `masters` redis-server processes (no replicas) on free ports, each in its own
 * temp dir with AOF on: `cluster-enabled yes`, joined and given the slot ranges by
 * `redis-cli --cluster create`, ready once every node says `cluster_state:ok`.
 */
export class RedisCluster {
  private readonly children: ChildProcess[] = [];
  readonly dir: string;

  private constructor(readonly ports: number[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'agentq-cluster-'));
  }

  /** `host:port` of every node, as REDIS_CLUSTER_NODES takes them. */
  get nodes(): string[] {
    return this.ports.map((port) => `127.0.0.1:${port}`);
  }

  /** Starts a cluster of `masters` nodes (3 unless given). */
  static async start(masters = 3): Promise<RedisCluster> {
    if (!redisServerAvailable() || spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('redis-server and redis-cli must be on PATH to start a test cluster (Debian/Ubuntu: `sudo apt-get install redis-server`)');
    }
    return retryIfPortTaken(async () => {
      const ports: number[] = [];
      while (ports.length < masters) {
        const port = await freePort();
        // A node also listens on port + 10000 (the cluster bus): both must be free and distinct.
        if (port + 10_000 <= 65_535 && !ports.includes(port)) ports.push(port);
      }
      const cluster = new RedisCluster(ports);
      try {
        await Promise.all(ports.map((port) => cluster.startNode(port)));
        await cluster.create();
        await cluster.waitForOk();
      } catch (error) {
        await cluster.destroy();
        throw error;
      }
      return cluster;
    });
  }

  private async startNode(port: number): Promise<void> {
    const dir = mkdtempSync(join(this.dir, `${port}-`));
    const child = await spawnRedisServer(port, dir, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      '5000',
    ]);
    this.children.push(child);
  }

  private async create(): Promise<void> {
    const result = await run('redis-cli', ['--cluster', 'create', ...this.nodes, '--cluster-replicas', '0', '--cluster-yes']);
    if (result.code !== 0) throw new Error(`redis-cli --cluster create failed (${result.code}):\n${result.output}`);
  }

  /** Waits until every node reports `cluster_state:ok` (slots assigned, nodes agreed). */
  async waitForOk(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(this.ports.map((port) => run('redis-cli', ['-p', String(port), 'cluster', 'info'])));
      if (states.every((s) => s.output.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error(`cluster not ok after ${timeoutMs}ms:\n${states.map((s) => s.output).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The port of the master serving a slot, from `CLUSTER SLOTS` of the first node. */
  async masterOfSlot(slot: number): Promise<number> {
    const client = new Redis(this.ports[0] as number, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      const ranges = (await client.cluster('SLOTS')) as unknown as Array<[number, number, [string, number, ...unknown[]]]>;
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`slot ${slot} is not served`);
      return range[2][1];
    } finally {
      client.disconnect();
    }
  }

  /** Stops every node (SIGTERM: each flushes its AOF first). */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
