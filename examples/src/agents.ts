/**
 * The module `agentq-worker --agents <module>` loads: its default export is the list of agents the worker
 * serves. Configured from the environment:
 *
 * - `REDIS_URL` (default `redis://127.0.0.1:6379`): where the demo tools keep their records and ledger.
 * - `AGENTQ_PREFIX` (default `aq`): key prefix of that data.
 * - `AGENTQ_DEMO_DIR` (default `<tmpdir>/agentq-demo`): holds `sandbox/` (file tools) and `outbox/` (email).
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Agent, createRedis, ENV } from '@agentq/shared';
import { createDemoAgent } from './demo-agent.js';
import { seedSandbox } from './sandbox-seed.js';
import { seedRecords } from './tools/records.js';

const redisUrl = process.env[ENV.REDIS_URL] ?? 'redis://127.0.0.1:6379';
const prefix = process.env[ENV.PREFIX] ?? 'aq';
const demoDir = process.env.AGENTQ_DEMO_DIR ?? path.join(os.tmpdir(), 'agentq-demo');
const sandboxDir = path.join(demoDir, 'sandbox');
const outboxDir = path.join(demoDir, 'outbox');

await mkdir(sandboxDir, { recursive: true });
await mkdir(outboxDir, { recursive: true });
await seedSandbox(sandboxDir);

const redis = createRedis(redisUrl);
// Seeds once per prefix, so every worker of a fleet can load this module without undoing deletions.
await seedRecords(redis, prefix);

const agents: Agent[] = [createDemoAgent({ redis, prefix, sandboxDir, outboxDir })];
export default agents;
