/**
 * `pnpm demo`: the whole system on one machine. Starts a private redis-server (unless REDIS_URL is set) and
 * mock-anthropic (unless ANTHROPIC_API_KEY is set), two worker processes (each starts the demo's status-page
 * MCP server over stdio when a session first needs it), enqueues the demo sessions, plays the operator who
 * approves or denies the risky calls, prints a summary and stops everything it started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type MockServer, startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { type Approval, isEventOf, isTerminal, type SessionResult } from '@agentq/shared';
import { RedisServer } from '@agentq/shared/testing';
import cliProgress from 'cli-progress';
import { batchLaneSession, demoSessions, MCP_SESSION_TOOL, mcpSession } from '../demo-sessions.js';
import { decide, type Decision } from './operator-policy.js';
import { printSummary } from './print-summary.js';
import { spawnWorker, type WorkerProcess } from './fleet.js';

const SESSIONS = Number(process.env.AGENTQ_DEMO_SESSIONS ?? 20);
/** 0 uses a fleet that is already running (docker compose runs the demo that way). */
const WORKERS = Number(process.env.AGENTQ_DEMO_WORKERS ?? 2);
const TIMEOUT_MS = Number(process.env.AGENTQ_DEMO_TIMEOUT_MS ?? 120_000);

const started = Date.now();
const cleanups: Array<() => Promise<unknown>> = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
};
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

async function main(): Promise<number> {
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.destroy());
    redisUrl = redis.url;
    log(`started a private redis-server at ${redisUrl}`);
  } else {
    log(`using REDIS_URL ${redisUrl}`);
  }

  let mock: MockServer | undefined;
  const apiKey = process.env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    mock = await startMockAnthropic({ latencyMs: 40, jitterMs: 80, seed: 7, batchDelayMs: 500 });
    cleanups.push(() => (mock as MockServer).close());
    log(`started mock-anthropic at ${mock.url} (set ANTHROPIC_API_KEY to use the real API)`);
  }

  const demoDir = await mkdtemp(path.join(os.tmpdir(), 'agentq-demo-'));
  cleanups.push(() => rm(demoDir, { recursive: true, force: true }));
  const queueName = process.env.AGENTQ_QUEUE ?? 'agentq';
  const prefix = process.env.AGENTQ_PREFIX ?? 'aq';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    ANTHROPIC_API_KEY: apiKey ?? 'demo-key',
    ...(mock ? { ANTHROPIC_BASE_URL: mock.url } : {}),
    AGENTQ_DEMO_DIR: demoDir,
    AGENTQ_QUEUE: queueName,
    AGENTQ_PREFIX: prefix,
    AGENTQ_LOG_LEVEL: process.env.AGENTQ_LOG_LEVEL ?? 'warn',
    // The demo's batch-lane session should not wait the production defaults (30 s to fill, 10 s polls).
    AGENTQ_BATCH_MAX_AGE_MS: process.env.AGENTQ_BATCH_MAX_AGE_MS ?? '500',
    AGENTQ_BATCH_POLL_MS: process.env.AGENTQ_BATCH_POLL_MS ?? '500',
  };

  const workers: WorkerProcess[] = [];
  for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(env, 10));
  cleanups.push(() => Promise.all(workers.map((w) => w.stop())));
  await Promise.all(workers.map((w) => w.ready));
  if (WORKERS > 0) log(`started ${WORKERS} worker processes`);

  const producer = new AgentProducer({ connection: redisUrl, queueName, prefix });
  cleanups.push(() => producer.close());
  const inputs = demoSessions(SESSIONS);
  // One session first, until its first model call is done: every session shares the agent's system prompt
  // and tools, and a prompt-cache write of that prefix is only readable once it finished. Started together,
  // a timing-dependent number of first turns would each write it, and the token and cost figures would
  // differ from run to run; primed, every other first turn reads it (and pays less).
  const [first, ...rest] = inputs;
  const ids: string[] = [];
  if (first) {
    const { sessionId } = await producer.start(first);
    ids.push(sessionId);
    await firstModelCall(producer, sessionId, Date.now() + TIMEOUT_MS);
  }
  // One more session goes through the batch lane, and one uses the demo's MCP server; each is reported on its
  // own line, apart from the summary.
  const startedRest = await producer.startBatch([...rest, batchLaneSession(), mcpSession()]);
  const mcpId = (startedRest.pop() as { sessionId: string }).sessionId;
  const batchId = (startedRest.pop() as { sessionId: string }).sessionId;
  ids.push(...startedRest.map((s) => s.sessionId));
  const scenarioOf = new Map(ids.map((id, i) => [id, inputs[i]?.metadata.scenario ?? '']));
  log(`enqueued ${ids.length} sessions, ${batchId} in the batch lane, and ${mcpId} using the MCP server\n`);

  const bar = new cliProgress.SingleBar(
    { format: '  sessions [{bar}] {value}/{total} terminal | {parked} parked | {decided} decided', hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(ids.length, 0, { parked: 0, decided: 0 });
  const decisions = new Map<string, Decision & { approval: Approval }>();
  const ours = new Set(ids);
  const deadline = Date.now() + TIMEOUT_MS;
  let results: SessionResult[] = [];
  for (;;) {
    for (const approval of await producer.approvals.list()) {
      if (!ours.has(approval.sessionId) || decisions.has(approval.approvalId)) continue;
      const decision = decide(approval);
      if (decision.approve) await producer.approvals.approve(approval.approvalId, { by: 'demo-operator' });
      else await producer.approvals.deny(approval.approvalId, { by: 'demo-operator', reason: decision.reason });
      decisions.set(approval.approvalId, { ...decision, approval });
    }
    const sessions = await producer.stores.sessions.getMany(ids);
    const done = sessions.filter((s) => s && isTerminal(s.status)).length;
    const parked = sessions.filter((s) => s?.status === 'awaiting_approval').length;
    bar.update(done, { parked, decided: decisions.size });
    const batchDone = isTerminal((await producer.get(batchId))?.status ?? 'failed');
    const mcpDone = isTerminal((await producer.get(mcpId))?.status ?? 'failed');
    if (done === ids.length && batchDone && mcpDone) {
      results = sessions.map((s) => ({
        sessionId: s?.sessionId ?? '',
        status: s?.status ?? 'failed',
        output: s?.output ?? null,
        steps: s?.step ?? 0,
        usage: s?.usage ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
        error: s?.error ?? null,
      }));
      break;
    }
    if (Date.now() > deadline) {
      bar.stop();
      log(`\n${ids.length - done} sessions did not finish within ${TIMEOUT_MS}ms`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  bar.stop();
  printSummary({ results, scenarioOf, decisions: [...decisions.values()], wallMs: Date.now() - started, queueName });
  const batchCalls = (await producer.events(batchId)).filter(isEventOf('model_call')).filter((e) => e.data.lane === 'batch');
  const saved = batchCalls.reduce((n, e) => n + (e.data.savedUsd ?? 0), 0);
  const batchResult = await producer.get(batchId);
  log(
    `  batch lane ${batchCalls.length} model calls through the Message Batches API for ${batchId} (${batchResult?.status}), $${(batchResult?.usage.costUsd ?? 0).toFixed(6)} at the batch rate, $${saved.toFixed(6)} saved`,
  );
  const mcpCalls = (await producer.events(mcpId)).filter((e) => e.type === 'tool_call' && e.data.tool === MCP_SESSION_TOOL).length;
  const mcpResult = await producer.get(mcpId);
  log(`  mcp        ${mcpCalls} call of ${MCP_SESSION_TOOL} from the demo's stdio MCP server: ${mcpResult?.status} after ${mcpResult?.step} steps`);
  return results.every((r) => isTerminal(r.status)) && mcpResult?.status === 'completed' ? 0 : 1;
}

/** Resolves once the session's first step is past its model call (or the session is parked or over). */
async function firstModelCall(producer: AgentProducer, sessionId: string, deadline: number): Promise<void> {
  for (;;) {
    const session = await producer.stores.sessions.get(sessionId);
    if (!session || session.step >= 1 || session.status === 'awaiting_approval' || isTerminal(session.status)) return;
    if (Date.now() > deadline) throw new Error(`the first session ${sessionId} made no model call within ${TIMEOUT_MS}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
