import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const DEMO = fileURLToPath(new URL('../examples/dist/demo/run-demo.js', import.meta.url));

/** Runs `pnpm demo`'s program with its own redis-server and mock; returns the summary block it prints. */
async function demoSummary(): Promise<Record<string, string>> {
  const env = { ...process.env };
  for (const name of ['REDIS_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'AGENTQ_DEMO_SESSIONS', 'AGENTQ_DEMO_WORKERS']) delete env[name];
  const { stdout } = await run(process.execPath, [DEMO], { env, timeout: 150_000 });
  const lines = stdout.split('\n').filter((l) => /^ {2}(sessions|steps|tokens|approvals|mcp|wall time) {2,}/.test(l));
  return Object.fromEntries(
    lines.map((l) => [
      l.trim().split(/\s{2,}/)[0] as string,
      l
        .trim()
        .split(/\s{2,}/)
        .slice(1)
        .join(' '),
    ]),
  );
}

describe('pnpm demo', () => {
  // The token and cost figures differed from run to run: how many first turns wrote the shared prompt-cache
  // prefix depended on timing.
  test('prints the same summary, token and cost figures included, on every run', async () => {
    const first = await demoSummary();
    const second = await demoSummary();
    console.log(`[demo] ${JSON.stringify(first)}`);
    expect(first.sessions).toBe('20: 19 completed, 1 loop_detected');
    // 59: the loop-repeated-search session ends loop_detected after one reflection (the default loop.strikes
    // is 1 since the faults branch), at step 3, no longer after two at step 4.
    expect(first.steps).toBe('59');
    expect(first.approvals).toBe('6 decided by the operator: 3 approved, 3 denied, 0 timed out');
    // One more session, apart from the 20, takes its tool from the MCP server the demo's workers start (stdio).
    expect(first.mcp).toBe("1 call of status_service_status from the demo's stdio MCP server: completed after 2 steps");
    expect(first.tokens).toMatch(/^\d+ in \(\d+ from cache\), \d+ out, \$\d+\.\d{4} at list prices$/);
    expect({ ...second, 'wall time': '' }).toEqual({ ...first, 'wall time': '' });
  }, 300_000);
});
