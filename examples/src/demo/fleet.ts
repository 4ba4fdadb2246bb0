import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER_BIN = fileURLToPath(import.meta.resolve('@agentq/worker/bin'));
const AGENTS_MODULE = fileURLToPath(new URL('../agents.js', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the worker printed its ready line. */
  ready: Promise<void>;
  /** SIGTERM: the worker drains its in-flight steps and exits 0. */
  stop(): Promise<number | null>;
}

/** Starts one `agentq-worker` process serving the demo agents, with the given environment. */
export function spawnWorker(env: NodeJS.ProcessEnv, concurrency = 10): WorkerProcess {
  const child = spawn(process.execPath, [WORKER_BIN, '--agents', AGENTS_MODULE, '--concurrency', String(concurrency)], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.includes('"ready":true')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`agentq-worker exited with code ${code} before it was ready`)));
  });
  return {
    child,
    ready,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
