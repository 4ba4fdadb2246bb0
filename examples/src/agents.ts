/**
 * The module `agentq-worker --agents <module>` loads: its default export is the list of agents the worker
 * serves (`demo`, and `status`, whose tool comes from the demo's stdio MCP server). Importing it opens no connection and writes nothing; the first tool call prepares the demo data.
 * Configured from the environment:
 *
 * - `REDIS_URL` (required, the worker's own Redis): where the demo tools keep their records and ledger.
 *   There is no default: a worker that silently used another Redis than its queue's would split the demo's data.
 * - `AGENTQ_PREFIX` (default `aq`): key prefix of that data.
 * - `AGENTQ_DEMO_DIR` (default `<tmpdir>/agentq-demo`): holds `sandbox/` (file tools) and `outbox/` (email).
 *   Workers that share a session's steps must share this directory (one volume for a container fleet).
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Agent, createRedis, ENV, type Tool } from '@agentq/shared';
import { createDemoAgent } from './demo-agent.js';
import { seedSandbox } from './sandbox-seed.js';
import { createStatusAgent } from './status/status-agent.js';
import { seedRecords } from './tools/records.js';

const redisUrl = process.env[ENV.REDIS_URL]?.trim();
if (!redisUrl) {
  throw new Error(`${ENV.REDIS_URL} is not set: the demo tools keep their records in the worker's Redis; set it to that Redis's URL`);
}
const prefix = process.env[ENV.PREFIX]?.trim() || 'aq';
const demoDir = process.env.AGENTQ_DEMO_DIR?.trim() || path.join(os.tmpdir(), 'agentq-demo');
const sandboxDir = path.join(demoDir, 'sandbox');
const outboxDir = path.join(demoDir, 'outbox');

// Connects on its first command, i.e. when a tool first needs Redis.
const redis = createRedis(redisUrl, { lazyConnect: true });

let prepared: Promise<void> | undefined;
/** Creates the demo folders and seeds the sandbox and records, once per process. */
function prepare(): Promise<void> {
  prepared ??= (async () => {
    await mkdir(sandboxDir, { recursive: true });
    await mkdir(outboxDir, { recursive: true });
    await seedSandbox(sandboxDir);
    // Seeds once per prefix, so every worker of a fleet can prepare without undoing deletions.
    await seedRecords(redis, prefix);
  })().catch((error: unknown) => {
    prepared = undefined;
    throw error;
  });
  return prepared;
}

function preparedFirst(tool: Tool): Tool {
  return Object.freeze({
    ...tool,
    run: async (...args: Parameters<Tool['run']>) => {
      await prepare();
      return tool.run(...args);
    },
  });
}

const demo = createDemoAgent({ redis, prefix, sandboxDir, outboxDir });
const agents: Agent[] = [Object.freeze({ ...demo, tools: new Map([...demo.tools].map(([name, tool]) => [name, preparedFirst(tool)])) }), createStatusAgent()];
export default agents;
