import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL_HINT =
  'redis-server was not found on PATH: install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) or run `docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:16379 (compose publishes it there).';

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A private redis-server on a free port in a temp dir, with AOF on so a test can stop and restart it
 * without losing acknowledged writes. Never port 6379, never someone else's data.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  readonly dir: string;

  private constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'agentq-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server; `port` defaults to a free one (another one if it is taken before the server binds it). */
  static async start(port?: number): Promise<RedisServer> {
    if (!redisServerAvailable()) throw new Error(INSTALL_HINT);
    if (port !== undefined) return RedisServer.startAt(port);
    return retryIfPortTaken(async () => RedisServer.startAt(await freePort()));
  }

  private static async startAt(port: number): Promise<RedisServer> {
    const server = new RedisServer(port);
    try {
      await server.startProcess();
      return server;
    } catch (error) {
      rmSync(server.dir, { recursive: true, force: true });
      throw error;
    }
  }

  private async startProcess(): Promise<void> {
    this.child = await spawnRedisServer(this.port, this.dir);
  }

  /** Stops the server (SIGTERM: it flushes AOF first). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs `start`, which picks free ports and starts servers on them, again (up to 3 times in all) when a port
 * found free was taken by another process before a server bound it: tests start servers side by side.
 * `start` cleans up what it started before it throws.
 */
export async function retryIfPortTaken<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const taken = error instanceof Error && error.message.includes('Address already in use');
      if (attempt >= 3 || !taken) throw error;
    }
  }
}

/**
 * Starts a `redis-server` on 127.0.0.1:`port` with its data in `dir` and resolves once it accepts
 * connections: AOF on (fsync every second, as the fault drills assume), no RDB snapshots, no eviction (an
 * evicted key would be lost state, never a cache miss). `extraArgs` adds to that (the cluster's options).
 */
export async function spawnRedisServer(port: number, dir: string, extraArgs: string[] = []): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec'];
  args.push('--save', '', '--maxmemory-policy', 'noeviction', '--protected-mode', 'no', ...extraArgs);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // A server that never got ready is killed here: nobody else holds it to stop it.
  const ready = new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited with code ${code}:\n${output}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  child.removeAllListeners('exit');
  return child;
}
