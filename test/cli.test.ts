import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgent, defineTool, type SessionResult } from '@agentq/shared';
import { z } from 'zod';
import { cli } from './support/cli.js';
import { afterAll, onTestFinished } from 'vitest';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => `echo:${value}` });
const agent = defineAgent({ name: 'cli-agent', system: 'Test agent.', tools: [echo] });

// Each run's temp dirs carry its pid, so the last test can count what this file left behind (it left three per run).
const TEMP_PREFIX = `agentq-cli-${process.pid}-`;
const leftBehind = () => readdirSync(tmpdir()).filter((name) => name.startsWith(TEMP_PREFIX));
afterAll(() => {
  for (const name of leftBehind()) rmSync(join(tmpdir(), name), { recursive: true, force: true });
});

/** Writes the lines to a sessions.jsonl in a temp dir that is removed when the test finishes. */
function jsonl(lines: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sessions.jsonl');
  writeFileSync(file, `# a comment line\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`);
  return file;
}

describe('the agentq CLI against real Redis and worker', () => {
  test('enqueue --json and --wait --json keep input order; status, sessions and cancel read the same sessions', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const lines = ['first', 'second', 'third'].map((word) => ({
        agent: 'cli-agent',
        input: scripted(`Echo ${word}.`, [{ tool: 'echo', input: { value: word } }, { text: `done ${word}` }]),
        tenant: 'acme',
      }));
      const ids = JSON.parse((await cli(env, ['enqueue', jsonl(lines), '--json'])).stdout) as string[];
      expect(ids).toHaveLength(3);
      for (const id of ids) expect(id).toMatch(/^ses_/);
      await h.producer.waitAll(ids, { timeoutMs: 20_000 });

      const results = JSON.parse((await cli(env, ['enqueue', jsonl(lines), '--wait', '--json'])).stdout) as SessionResult[];
      expect(results.map((r) => [r.status, r.output, r.steps])).toEqual([
        ['completed', 'done first', 2],
        ['completed', 'done second', 2],
        ['completed', 'done third', 2],
      ]);

      const status = JSON.parse((await cli(env, ['status', ids[0] as string, '--json'])).stdout) as SessionResult & { agent: string; tenant: string };
      expect(status).toMatchObject({ sessionId: ids[0], status: 'completed', output: 'done first', agent: 'cli-agent', tenant: 'acme' });

      const listed = JSON.parse((await cli(env, ['sessions', '--status', 'completed', '--json'])).stdout) as Array<{ sessionId: string; status: string }>;
      expect(listed.filter((s) => ids.includes(s.sessionId) && s.status === 'completed')).toHaveLength(3);
      expect(listed).toHaveLength(6);

      const cancelled = JSON.parse((await cli(env, ['cancel', ids[1] as string, '--json'])).stdout) as { status: string };
      expect(cancelled.status).toBe('completed');
    } finally {
      await h.close();
    }
  });

  test('a bad line stops enqueue before anything is queued, naming the file and line', async ({ redisUrl, queueName, prefix }) => {
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    const file = jsonl([{ agent: 'cli-agent', input: 'ok' }, { agent: 'cli-agent' }]);
    const error = (await cli(env, ['enqueue', file, '--json']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain(`${file}:3: input:`);
    const bad = (await cli({ ...env, REDIS_URL: 'http://nope' }, ['sessions']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('REDIS_URL="http://nope": must be a redis:// or rediss:// URL');
  });

  // `stats --help` printed `(default: 3600000)`.
  test('stats --help shows its default window as 1h', async () => {
    const { stdout } = await cli({}, ['stats', '--help']);
    expect(stdout).toMatch(/--since <duration> .*\(default: 1h\)/);
  });

  test('the tests above left no temp dirs behind', () => {
    expect(leftBehind()).toEqual([]);
  });
});
