import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin/mock-anthropic.js', import.meta.url));

beforeAll(() => {
  // The binary is the compiled output; build it when a fresh checkout has none.
  if (!existsSync(bin)) execFileSync('npx', ['tsc', '-b', `${packageDir}tsconfig.build.json`], { stdio: 'inherit' });
}, 120_000);

describe('mock-anthropic binary', () => {
  it('prints its url once listening and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const { url } = JSON.parse(line) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/_mock/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('exits non-zero naming a bad flag or variable', async () => {
    const run = async (args: string[], env: Record<string, string> = {}) => {
      const child = spawn(process.execPath, [bin, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...env },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      return { code, stderr };
    };
    const badFlag = await run(['--port', '0', '--rpm', 'lots']);
    expect(badFlag.code).not.toBe(0);
    expect(badFlag.stderr).toContain('--rpm');
    const badEnv = await run(['--port', '0'], { MOCK_ANTHROPIC_FAIL_RATE: '2' });
    expect(badEnv.code).not.toBe(0);
    expect(badEnv.stderr).toContain('MOCK_ANTHROPIC_FAIL_RATE');
  });
});
