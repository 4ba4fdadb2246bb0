import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER_BIN = fileURLToPath(new URL('../../packages/worker/dist/bin/agentq-worker.js', import.meta.url));

/** A real `agentq-worker` process for a benchmark, started and ready (it printed its ready line). */
export async function spawnBenchWorker(agentsModule: string, concurrency: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER_BIN, '--agents', agentsModule, '--concurrency', String(concurrency)], {
    env: { ...process.env, AGENTQ_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"ready":true')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`agentq-worker exited ${code} before it was ready`)));
  });
  return child;
}

/** SIGTERMs benchmark workers and waits for them to exit. */
export async function stopBenchWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}
