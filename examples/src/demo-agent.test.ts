import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Agent } from '@agentq/shared';
import { describe, expect, test, vi } from '../../test/support/fixtures.js';
// Brings in the global setup's `ProvidedContext` augmentation that types the fixture's inject('redisUrl').
import { createDemoAgent } from './demo-agent.js';
import { DEMO_TOOL_NAMES } from './demo-tools.js';
import { SANDBOX_FILES } from './sandbox-seed.js';
import { createTestToolContext } from './testing/tool-context.js';
import { recordsKey } from './tools/records.js';

describe('createDemoAgent', () => {
  test('has the six tools, 12 steps and auto-runs only up to low risk', ({ redis, prefix }) => {
    const agent = createDemoAgent({ redis, prefix, sandboxDir: '/tmp', outboxDir: '/tmp' });
    expect(agent.name).toBe('demo');
    expect([...agent.tools.keys()]).toEqual([...DEMO_TOOL_NAMES]);
    expect(agent.limits).toMatchObject({ maxSteps: 12, maxAutoRisk: 'low' });
    expect(agent.system).toMatch(/careful operations assistant/);
    expect(Object.fromEntries([...agent.tools].map(([name, tool]) => [name, tool.risk]))).toEqual({
      search_web: 'safe',
      read_file: 'safe',
      write_file: 'low',
      send_email: 'medium',
      delete_record: 'high',
      process_payment: 'high',
    });
    expect(createDemoAgent({ redis, prefix, sandboxDir: '/tmp', outboxDir: '/tmp', model: 'claude-haiku-4-5' }).model).toBe('claude-haiku-4-5');
  });
});

describe('agents module', () => {
  // Importing the module used to connect to Redis (defaulting to port 6379) and write the demo data at once.
  test('default-exports the demo and status agents; importing it touches nothing, the first tool call prepares the data', async ({
    redis,
    redisUrl,
    prefix,
  }) => {
    const demoDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'agentq-agents-')), 'demo');
    const saved = { ...process.env };
    Object.assign(process.env, { REDIS_URL: redisUrl, AGENTQ_PREFIX: prefix, AGENTQ_DEMO_DIR: demoDir });
    try {
      vi.resetModules();
      const { default: agents } = (await import('./agents.js')) as { default: Agent[] };
      expect(agents.map((a) => a.name)).toEqual(['demo', 'status']);
      // The status agent's only tools come from the demo's MCP server, which each worker starts over stdio.
      expect(agents[1]?.mcpServers.map((m) => [m.name, m.transport.type])).toEqual([['status', 'stdio']]);
      expect(existsSync(demoDir)).toBe(false);
      expect(await redis.exists(recordsKey(prefix, 'customers'))).toBe(0);

      const search = agents[0]?.tools.get('search_web');
      await search?.run({ query: 'BullMQ rate limit' }, createTestToolContext());
      expect((await readdir(demoDir)).sort()).toEqual(['outbox', 'sandbox']);
      expect(await readdir(path.join(demoDir, 'sandbox'), { recursive: true })).toEqual(expect.arrayContaining(Object.keys(SANDBOX_FILES)));
      expect(await redis.hexists(recordsKey(prefix, 'customers'), 'cus_1003')).toBe(1);
    } finally {
      process.env = saved;
      await rm(path.dirname(demoDir), { recursive: true, force: true });
    }
  });

  test('refuses to load without REDIS_URL instead of defaulting to port 6379', async () => {
    const saved = { ...process.env };
    delete process.env.REDIS_URL;
    try {
      vi.resetModules();
      await expect(import('./agents.js')).rejects.toThrow(/^REDIS_URL is not set/);
    } finally {
      process.env = saved;
    }
  });
});
