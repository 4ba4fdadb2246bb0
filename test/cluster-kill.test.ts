import { startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { createRedis, isTerminal } from '@agentq/shared';
import { describe, expect, test } from 'vitest';
import { type WorkerProcess, spawnWorker, until, workerEnv } from './fixtures/crash-process.js';
import { useCluster } from './support/cluster-fixture.js';
import { scripted } from './support/harness.js';

// The kill test of crash-kill.test.ts, smaller, on a 3-master Redis Cluster with 3 queue shards: worker
// processes SIGKILLed mid-step must lose no session and run no non-idempotent call twice on any shard.

const SESSIONS = 60;
const WORKERS = 3;
const CONCURRENCY = 6;
const MIN_KILLS = 10;
const SHARDS = 3;
const STEPS = 5;
const TOOL_CALLS = 5;

function sessionScript(i: number): unknown[] {
  return [
    { tool: 'lookup', input: { q: `a${i}` } },
    [
      { tool: 'charge', input: { amount: 10, ref: `c1-${i}` } },
      { tool: 'lookup', input: { q: `b${i}` } },
    ],
    { tool: 'lookup', input: { q: `c${i}` } },
    { tool: 'charge', input: { amount: 20, ref: `c2-${i}` } },
    { text: `done ${i}` },
  ];
}

describe('crash safety on a Redis Cluster with 3 shards', () => {
  const c = useCluster();

  test(`${SESSIONS} sessions, ${WORKERS} worker processes, ≥${MIN_KILLS} SIGKILLs: 0 lost, 0 duplicate charges, events once per call`, async () => {
    const { queueName, prefix } = c.names();
    const target = c.target();
    const redis = createRedis(target);
    const mock = await startMockAnthropic({ latencyMs: 10, jitterMs: 40 });
    const producer = new AgentProducer({ connection: target, queueName, prefix, stepBackoffMs: 50, shards: SHARDS });
    const env = workerEnv(
      { redisUrl: '', queueName, prefix, mockUrl: mock.url },
      {
        REDIS_CLUSTER_NODES: c.cluster().nodes.join(','),
        AGENTQ_QUEUE_SHARDS: String(SHARDS),
        AGENTQ_LOCK_DURATION_MS: '3000',
        AGENTQ_STALLED_INTERVAL_MS: '1000',
        AGENTQ_MAX_STALLED_COUNT: '100',
        AGENTQ_STEP_BACKOFF_MS: '50',
        AGENTQ_CONCURRENCY: String(CONCURRENCY),
      },
    );
    const workers: WorkerProcess[] = [];
    const start = () => spawnWorker('test/fixtures/crash-agents.mjs', env);
    const inFlight = async () => {
      const counts = await Promise.all(producer.queues.map((q) => q.getJobCounts('active', 'waiting', 'prioritized', 'delayed')));
      return counts.reduce((sum, k) => sum + (k.active ?? 0) + (k.waiting ?? 0) + (k.prioritized ?? 0) + (k.delayed ?? 0), 0);
    };
    try {
      for (let i = 0; i < WORKERS; i++) workers.push(start());
      await Promise.all(workers.map((w) => w.ready));
      const ids: string[] = [];
      const enqueue = async (n: number) => {
        const inputs = Array.from({ length: n }, (_, k) => ids.length + k).map((i) => ({
          agent: 'crash',
          input: scripted(`crash session ${i}`, sessionScript(i)),
        }));
        ids.push(...(await producer.startBatch(inputs)).map((r) => r.sessionId));
      };
      await enqueue(SESSIONS);

      // As in crash-kill.test.ts: kill a worker that has been up a while, start a replacement, add a wave of
      // sessions when the fleet runs dry before the kill quota is met.
      let kills = 0;
      let allDone = false;
      let killing = true;
      const killer = (async () => {
        while (kills < MIN_KILLS && !allDone) {
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
          if ((await inFlight()) < WORKERS * CONCURRENCY && ids.length < 4 * SESSIONS) await enqueue(20);
          const minUpMs = 600 + Math.random() * 1200;
          const candidates = workers.map((w, i) => [w, i] as const).filter(([w]) => (w.readyAt() ?? Infinity) < Date.now() - minUpMs);
          const pick = candidates[Math.floor(Math.random() * candidates.length)];
          if (!pick || allDone) continue;
          const [victim, i] = pick;
          victim.child.kill('SIGKILL');
          await victim.exited;
          kills += 1;
          workers[i] = start();
        }
      })().finally(() => {
        killing = false;
      });

      let last = '';
      const results = await until(
        'every session terminal',
        async () => {
          const sessions = await producer.stores.sessions.getMany(ids);
          const byStatus: Record<string, number> = {};
          for (const s of sessions) byStatus[s ? s.status : 'lost'] = (byStatus[s ? s.status : 'lost'] ?? 0) + 1;
          last = `${JSON.stringify(byStatus)} kills=${kills}`;
          return !killing && sessions.every((s) => s && isTerminal(s.status)) ? sessions : undefined;
        },
        170_000,
        250,
      )
        .catch((error: unknown) => {
          throw new Error(`${String(error)}; last: ${last}\nworker stderr: ${workers.map((w) => w.stderr().slice(-2000)).join('\n---\n')}`);
        })
        .finally(() => {
          allDone = true;
        });
      await killer;
      // A killed attempt's retry can run after its session ended (it copies the events the attempt left): count
      // events once no step job is left to run.
      const stepJobsLeft = async () => {
        const lists = await Promise.all(producer.queues.map((q) => q.getJobs(['active', 'waiting', 'prioritized', 'delayed'])));
        return lists.flat().filter((job) => job?.name === 'step').length;
      };
      await until('no step job left', async () => ((await stepJobsLeft()) === 0 ? true : undefined), 30_000, 250);

      const statuses: Record<string, number> = {};
      for (const s of results) statuses[s?.status ?? 'lost'] = (statuses[s?.status ?? 'lost'] ?? 0) + 1;
      const lost = results.filter((s) => !s).length;
      const perShard = [0, 1, 2].map((i) => results.filter((s) => s?.shard === i).length);
      const charges = await redis.hgetall(`${prefix}:crashtest:charge`);
      const chargedTwice = Object.values(charges).filter((n) => Number(n) > 1).length;
      const indexOf = new Set(ids);
      // Every shard's global stream, merged: one model_call per step, each tool call answered once.
      const globalEvents = (await Promise.all(producer.router.shards.map((s) => s.stores.events.since(0)))).flat().filter((e) => indexOf.has(e.sessionId));
      const unknown = globalEvents.filter((e) => e.type === 'tool_outcome_unknown').length;
      const answers = new Map<string, number>();
      for (const e of globalEvents) {
        if (e.type !== 'tool_result' && e.type !== 'tool_outcome_unknown') continue;
        const key = `${e.sessionId}|${String(e.data.toolUseId)}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
      const modelCalls = globalEvents.filter((e) => e.type === 'model_call').length;
      const answeredTwice = [...answers.values()].filter((n) => n > 1).length;
      console.log(
        `[cluster-kill] sessions=${ids.length} kills=${kills} statuses=${JSON.stringify(statuses)} lost=${lost} perShard=${perShard.join(',')} ` +
          `chargeCalls=${Object.keys(charges).length} chargedTwice=${chargedTwice} outcomeUnknown=${unknown} modelCallEvents=${modelCalls} toolCallsAnswered=${answers.size} answeredTwice=${answeredTwice}`,
      );
      expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
      expect(lost).toBe(0);
      expect(statuses).toEqual({ completed: ids.length });
      for (const n of perShard) expect(n).toBeGreaterThan(0);
      expect(chargedTwice).toBe(0);
      expect(Object.keys(charges).length).toBeLessThanOrEqual(2 * ids.length);
      expect(Object.keys(charges).length).toBeGreaterThanOrEqual(2 * ids.length - unknown);
      expect(modelCalls).toBe(ids.length * STEPS);
      expect(answers.size).toBe(ids.length * TOOL_CALLS);
      expect(answeredTwice).toBe(0);
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await producer.close();
      await mock.close();
      redis.disconnect();
    }
  }, 240_000);
});
