/**
 * Runs the shell commands of the README's Quick start, "Use it" and Dashboard sections, as written, against a
 * private stack: the test run's redis-server with this test's own queue and key prefix, the README's own
 * `pnpm mock` and `pnpm worker` lines, and a temp demo dir. What the test changes, and only this:
 *
 * - `export NAME=value` sets NAME to the private stack's value (REDIS_URL, ANTHROPIC_BASE_URL);
 * - a line ending in `&`, or one that serves the dashboard (it runs until stopped), is a service: `--port N`
 *   becomes a free port, the test waits for it to be ready and stops it at the end;
 * - `<approvalId>` and `<sessionId>` become ids of the sessions the commands above enqueued;
 * - lines in NOT_RUN are not run, each for the reason it gives (the list must match the README exactly).
 *
 * A README command that exits non-zero, or a shell line the test does not know how to treat, fails the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentProducer } from '@agentq/producer';
import { describe, expect, test } from './support/fixtures.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECTIONS = ['Quick start', 'Use it', 'Dashboard'];
const NOT_RUN: Record<string, string> = {
  'pnpm install && pnpm demo': '.ci/run installs and runs the demo; test/demo.test.ts runs the demo program twice',
  'pnpm test': 'the suite this test is part of',
};

/** The shell lines of a README section's ```sh blocks, comments after two spaces dropped. */
function shellLines(readme: string, section: string): string[] {
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no section "## ${section}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const body = readme.slice(start, end < 0 ? undefined : end);
  const lines: string[] = [];
  for (const block of body.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of (block[1] ?? '').split('\n')) {
      const line = raw.replace(/\s{2,}#.*$/, '').trim();
      if (line !== '' && !line.startsWith('#')) lines.push(line);
    }
  }
  return lines;
}

interface Service {
  child: ChildProcess;
  output: () => string;
  /** Whether it exited and its output was read to the end. */
  closed: () => boolean;
}

function startService(line: string, env: NodeJS.ProcessEnv): Service {
  // Its own process group, so stopping it stops pnpm and the node process under it.
  const child = spawn('bash', ['-c', line], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let closed = false;
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.once('close', () => (closed = true));
  return { child, output: () => output, closed: () => closed };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function runLine(line: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('README commands', () => {
  test('every shell line of Quick start, "Use it" and Dashboard runs as written against a private stack', async ({ redisUrl, queueName, prefix }) => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const lines = SECTIONS.flatMap((section) => shellLines(readme, section));
    for (const [line, reason] of Object.entries(NOT_RUN)) expect(lines, `NOT_RUN lists "${line}" (${reason}) but the README no longer has it`).toContain(line);

    const demoDir = await mkdtemp(join(tmpdir(), 'agentq-readme-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: redisUrl,
      AGENTQ_QUEUE: queueName,
      AGENTQ_PREFIX: prefix,
      AGENTQ_DEMO_DIR: demoDir,
      AGENTQ_LOG_LEVEL: 'warn',
    };
    delete env.ANTHROPIC_API_KEY;
    delete env.ANTHROPIC_BASE_URL;
    const producer = new AgentProducer({ connection: redisUrl, queueName, prefix });
    const services: Service[] = [];
    const ran: Array<{ line: string; output: string }> = [];
    let mockUrl: string | undefined;
    const decided = new Set<string>();
    try {
      for (const line of lines) {
        if (NOT_RUN[line]) continue;
        const exported = /^export ([A-Z_]+)=\S+$/.exec(line);
        if (exported) {
          const name = exported[1] as string;
          if (name === 'REDIS_URL') continue; // the private Redis, set above
          if (name === 'ANTHROPIC_BASE_URL') {
            env.ANTHROPIC_BASE_URL = await waitFor('the mock started by an earlier line', () => mockUrl);
            continue;
          }
          throw new Error(`README exports ${name}: teach this test its private-stack value`);
        }

        let command = line;
        if (command.includes('<approvalId>')) {
          const pending = await waitFor('a pending approval', async () => {
            const list = (await producer.approvals.list()).filter((a) => !decided.has(a.approvalId));
            return list.length > 0 ? list : undefined;
          });
          const id = (pending[0] as { approvalId: string }).approvalId;
          decided.add(id);
          command = command.replace('<approvalId>', id);
        }
        if (command.includes('<sessionId>')) {
          const [session] = await producer.list({ limit: 1, status: 'completed' });
          if (!session) throw new Error(`no completed session to put in: ${line}`);
          command = command.replaceAll('<sessionId>', session.sessionId);
        }
        if (/<[A-Za-z]+>/.test(command)) throw new Error(`README line has a placeholder this test does not fill: ${line}`);

        if (command.endsWith('&') || / agentq dashboard\b/.test(command)) {
          const service = startService(command.replace(/\s*&$/, '').replace(/--port \d+/, '--port 0'), { ...env });
          services.push(service);
          const ready = await waitFor(`"${line}" to be ready`, () => {
            if (service.closed()) throw new Error(`"${line}" exited ${service.child.exitCode}: ${service.output()}`);
            const out = service.output();
            const url = /\{"url":"(http:\/\/[^"]+)"\}/.exec(out)?.[1];
            if (url) return { url };
            if (out.includes('"ready":true')) return { url: undefined };
            const dashboard = /agentq dashboard on (http:\/\/\S+)/.exec(out)?.[1];
            if (dashboard) return { url: dashboard };
            return undefined;
          });
          if (line.startsWith('pnpm mock')) mockUrl = ready.url;
          if (line.includes('agentq dashboard')) {
            const token = /AGENTQ_DASHBOARD_TOKEN=(\S+)/.exec(line)?.[1] ?? '';
            expect((await fetch(`${ready.url}/api/sessions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
            expect((await fetch(`${ready.url}/api/sessions`)).status).toBe(401);
          }
          ran.push({ line, output: service.output() });
          continue;
        }

        const { code, output } = await runLine(command, env);
        ran.push({ line, output });
        expect(code, `README line failed: ${line}\n${output}`).toBe(0);
      }

      // What the commands did, as counts.
      const outputOf = (start: string) => ran.find((r) => r.line.startsWith(start))?.output ?? '';
      expect(outputOf('pnpm agentq enqueue examples/sessions.jsonl --wait').match(/\bcompleted\b/g)).toHaveLength(3);
      expect(outputOf('pnpm agentq approve')).toMatch(/approved by alice/);
      expect(outputOf('pnpm agentq deny')).toMatch(/denied by .*too large/);
      expect(decided.size).toBe(2);
      const sessions = await producer.list({ limit: 100 });
      expect(sessions).toHaveLength(5);
      console.log(`[readme] ran ${ran.length} of ${lines.length} README lines; not run: ${Object.keys(NOT_RUN).join(' | ')}`);
    } finally {
      for (const s of services) {
        try {
          process.kill(-(s.child.pid as number), 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await Promise.all(
        services.map((s) => (s.child.exitCode !== null || s.child.signalCode !== null ? undefined : new Promise((r) => s.child.once('exit', r)))),
      );
      await producer.close();
      await rm(demoDir, { recursive: true, force: true });
    }
  }, 300_000);
});
