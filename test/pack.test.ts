import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const PACKAGES = ['shared', 'worker', 'producer', 'mock-anthropic'];

/** One scripted session, run from the installed tarballs only: a real redis-server, the mock, a worker, a producer. */
const SESSION = `
import { AgentProducer } from '@agentq/producer';
import { startWorker } from '@agentq/worker';
import { defineAgent, defineTool } from '@agentq/shared';
import { RedisServer } from '@agentq/shared/testing';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { z } from 'zod';

const redis = await RedisServer.start();
const mock = await startMockAnthropic({});
const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => 'echo:' + value });
const agent = defineAgent({ name: 'packed', system: 's', tools: [echo] });
const worker = await startWorker({ agents: [agent], connection: redis.url, queueName: 'packed', model: { apiKey: 'k', baseURL: mock.url }, reconciler: false });
const producer = new AgentProducer({ connection: redis.url, queueName: 'packed' });
const script = [{ tool: 'echo', input: { value: 'a' } }, { text: 'done' }];
const { sessionId } = await producer.start({ agent: 'packed', input: 'Echo once.\\n\\n' + JSON.stringify({ script }) });
const result = await producer.wait(sessionId, { timeoutMs: 30000 });
const events = await producer.events(sessionId);
console.log(JSON.stringify({ status: result.status, output: result.output, steps: result.steps, events: events.map((e) => e.type) }));
await worker.close();
await producer.close();
await mock.close();
await redis.stop();
`;

describe('the packed packages', () => {
  // lua/ was missing from @agentq/shared's package.json#files: a published worker could not run a step. The
  // worker ships its own lua/ too (the governor's scripts run on every model call).
  test('installed from their pnpm pack tarballs, they run a scripted session against the mock', { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentq-pack-'));
    try {
      const tarballs: Record<string, string> = {};
      for (const name of PACKAGES) {
        await run('pnpm', ['pack', '--pack-destination', dir], { cwd: join(ROOT, 'packages', name) });
      }
      for (const file of await readdir(dir)) {
        const match = /^agentq-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(file);
        if (match) tarballs[`@agentq/${match[1]}`] = `file:./${file}`;
      }
      expect(Object.keys(tarballs).sort()).toEqual(PACKAGES.map((p) => `@agentq/${p}`).sort());
      // The tarballs name each other by version; overrides point those names at the tarballs.
      await writeFile(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'packed-session', private: true, type: 'module', dependencies: { ...tarballs, zod: '^4.6.7' }, overrides: tarballs }),
      );
      await writeFile(join(dir, 'session.mjs'), SESSION);
      await run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts'], { cwd: dir, timeout: 480_000 });
      const { stdout } = await run(process.execPath, ['session.mjs'], { cwd: dir, timeout: 60_000 });
      const outcome = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { status: string; output: string; steps: number; events: string[] };
      console.log(`packed session: ${outcome.status} in ${outcome.steps} steps, ${outcome.events.length} events`);
      expect(outcome).toMatchObject({ status: 'completed', output: 'done', steps: 2 });
      expect(outcome.events).toContain('tool_result');
      expect(outcome.events).not.toContain('unknown');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
