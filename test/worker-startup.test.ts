import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WorkerEnv } from '@agentq/worker';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('../packages/worker/bin/agentq-worker.js', import.meta.url));

async function worker(
  args: string[],
  cwd: string,
  extraEnv: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [WORKER, ...args], {
      cwd,
      env: { ...process.env, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9', ...extraEnv },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('agentq-worker start-up', () => {
  // A wrong --agents path printed a raw ERR_MODULE_NOT_FOUND stack that did not say how the path was resolved.
  test('a wrong --agents path prints one line naming the resolved file and the directory it is resolved against', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'agentq-worker-startup-'));
    try {
      const { code, stderr } = await worker(['--agents', './dist/agents.js'], cwd);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([
        `agentq-worker: --agents ./dist/agents.js: no such file ${join(cwd, 'dist/agents.js')} (the path is resolved against the current directory ${cwd})`,
      ]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  test('a module that fails to load prints one line with its reason: the demo agents without REDIS_URL', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const { code, stderr } = await worker(['--agents', 'examples/dist/agents.js'], root, { REDIS_URL: undefined });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      `agentq-worker: --agents examples/dist/agents.js: loading ${join(root, 'examples/dist/agents.js')} failed: REDIS_URL is not set: the demo tools keep their records in the worker's Redis; set it to that Redis's URL`,
    ]);
  });

  test('--help lists every environment variable the worker reads', async () => {
    const { code, stdout } = await worker(['--help'], process.cwd());
    expect(code).toBe(0);
    const listed = stdout
      .slice(stdout.indexOf('Environment variables'))
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
    expect(listed).toEqual(Object.keys(WorkerEnv.shape));
    expect(listed).toContain('ANTHROPIC_API_KEY');
    expect(listed).toContain('AGENTQ_SHUTDOWN_GRACE_MS');
  });
});
