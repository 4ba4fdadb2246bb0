import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const readJson = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const PACKAGES = ['packages/producer', 'packages/worker', 'packages/mock-anthropic'];

describe('workspace commands', () => {
  // A bin that pointed at an unbuilt dist/ file made a clean `pnpm install` print one warning per bin and link.
  test('every bin points at a committed file, so a clean install links it before anything is built', async () => {
    const { stdout } = await run('git', ['ls-files', ...PACKAGES.map((p) => `${p}/bin`)], { cwd: root });
    const committed = new Set(stdout.split('\n').filter(Boolean));
    const bins = PACKAGES.flatMap((dir) =>
      Object.values(readJson(`${dir}/package.json`).bin as Record<string, string>).map((file) => `${dir}/${file.replace(/^\.\//, '')}`),
    );
    expect(bins).toHaveLength(3);
    for (const file of bins) expect(committed, file).toContain(file);
  });

  test('the root runs each command: pnpm agentq, pnpm worker, pnpm mock', async () => {
    const scripts = readJson('package.json').scripts as Record<string, string>;
    expect(scripts.agentq).toBe('node packages/producer/bin/agentq.js');
    expect(scripts.worker).toBe('node packages/worker/bin/agentq-worker.js');
    expect(scripts.mock).toBe('node packages/mock-anthropic/bin/mock-anthropic.js');
    for (const [script, usage] of [
      ['agentq', 'Usage: agentq'],
      ['worker', 'Usage: agentq-worker'],
      ['mock', 'Usage: mock-anthropic'],
    ] as const) {
      const { stdout } = await run('pnpm', ['--silent', script, '--help'], { cwd: root });
      expect(stdout).toContain(usage);
    }
  });
});
