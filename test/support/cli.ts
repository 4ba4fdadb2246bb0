import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../packages/producer/dist/bin/agentq.js', import.meta.url));

/** Runs the built `agentq` CLI; a non-zero exit rejects with its code and stderr. */
export async function cli(env: Record<string, string>, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
  } catch (error) {
    const { stderr, code, signal } = error as { stderr?: string; code?: number; signal?: string };
    throw Object.assign(new Error(`agentq ${args.join(' ')} exited ${code ?? signal}: ${stderr ?? ''}`), { code, stderr });
  }
}
