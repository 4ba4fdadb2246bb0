import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'agentq-ci-results-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A vitest JSON report (the shape `--reporter=json` writes) with one passed test and two that did not run. */
const report = {
  numPassedTests: 1,
  numFailedTests: 0,
  numPendingTests: 2,
  testResults: [
    { name: join(root, 'test/step-loop.test.ts'), assertionResults: [{ status: 'passed', fullName: 'step loop runs' }] },
    { name: join(root, 'test/dashboard-e2e.test.ts'), assertionResults: [{ status: 'skipped', fullName: 'dashboard in a real browser approves' }] },
    {
      name: join(root, 'test/trajectories-replay.test.ts'),
      assertionResults: [{ status: 'skipped', fullName: 'replay of the recorded agent runs flags loops' }],
    },
  ],
};

async function count(allow?: string): Promise<{ stdout: string; stderr: string }> {
  const file = join(dir, 'results.json');
  await writeFile(file, JSON.stringify(report));
  const env = { ...process.env, AGENTQ_CI_ALLOW_SKIPPED: allow ?? '' };
  return run(process.execPath, ['.ci/count-results.mjs', file], { cwd: root, env });
}

describe('.ci/count-results.mjs (how .ci/run counts the test report)', () => {
  // The browser test and the trajectory replay were skipped silently and CI still passed.
  test('a skipped test counts as failed and is named', async () => {
    const { stdout, stderr } = await count();
    expect(stdout.trim()).toBe('1 2');
    expect(stderr.trim().split('\n')).toEqual([
      'skipped, not allowed by AGENTQ_CI_ALLOW_SKIPPED: test/dashboard-e2e.test.ts > dashboard in a real browser approves',
      'skipped, not allowed by AGENTQ_CI_ALLOW_SKIPPED: test/trajectories-replay.test.ts > replay of the recorded agent runs flags loops',
    ]);
  });

  test('AGENTQ_CI_ALLOW_SKIPPED allows a skip by file or by full test name', async () => {
    expect((await count('test/dashboard-e2e.test.ts')).stdout.trim()).toBe('1 1');
    expect((await count('test/dashboard-e2e.test.ts, replay of the recorded agent runs flags loops')).stdout.trim()).toBe('1 0');
  });

  // The suite also runs on Node 24: its report is counted into the same line, its skips named with its label.
  test("several reports are summed, each skip named with its report's label", async () => {
    const file = join(dir, 'results-two.json');
    await writeFile(file, JSON.stringify(report));
    const env = { ...process.env, AGENTQ_CI_ALLOW_SKIPPED: 'test/dashboard-e2e.test.ts' };
    const { stdout, stderr } = await run(process.execPath, ['.ci/count-results.mjs', file, `node24=${file}`, `node24=${join(dir, 'missing.json')}`], {
      cwd: root,
      env,
    });
    expect(stdout.trim()).toBe('2 3');
    expect(stderr.trim().split('\n')).toEqual([
      'skipped, not allowed by AGENTQ_CI_ALLOW_SKIPPED: test/trajectories-replay.test.ts > replay of the recorded agent runs flags loops',
      'skipped, not allowed by AGENTQ_CI_ALLOW_SKIPPED: [node24] test/trajectories-replay.test.ts > replay of the recorded agent runs flags loops',
      `unreadable test report: ${join(dir, 'missing.json')}`,
    ]);
  });

  // A CI log is often read from its tail: the failed tests are named last, just before the count.
  test('failed tests are named last, with their report label and the first line of their failure', async () => {
    const file = join(dir, 'results-failed.json');
    const failedReport = {
      numPassedTests: 1,
      numFailedTests: 1,
      testResults: [
        {
          name: join(root, 'test/kill.test.ts'),
          assertionResults: [
            { status: 'passed', fullName: 'kills lose nothing' },
            {
              status: 'failed',
              fullName: 'kills charge once',
              failureMessages: ['\u001b[31mAssertionError: expected 3 to be less than or equal to 2\u001b[39m\n    at test/kill.test.ts:12:3'],
            },
          ],
        },
      ],
    };
    await writeFile(file, JSON.stringify(failedReport));
    const { stdout, stderr } = await run(process.execPath, ['.ci/count-results.mjs', file, `node24=${file}`], { cwd: root });
    expect(stdout.trim()).toBe('2 2');
    // With the first line of its failure, so the log's tail says what went wrong, not only where.
    expect(stderr.trim().split('\n')).toEqual([
      'failed: test/kill.test.ts > kills charge once: AssertionError: expected 3 to be less than or equal to 2',
      'failed: [node24] test/kill.test.ts > kills charge once: AssertionError: expected 3 to be less than or equal to 2',
    ]);
  });

  test('an unreadable report is one failure', async () => {
    const { stdout } = await run(process.execPath, ['.ci/count-results.mjs', join(dir, 'missing.json')], { cwd: root });
    expect(stdout.trim()).toBe('0 1');
  });
});
