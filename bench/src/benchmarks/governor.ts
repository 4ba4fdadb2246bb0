import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type MockServer, type RecordedRequest, startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { createRedis } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { Governor } from '@agentq/worker';
import Anthropic from '@anthropic-ai/sdk';
import { benchRedis } from '../bench-redis.js';
import { spawnBenchWorker, stopBenchWorkers } from '../bench-worker.js';
import { GOVERNOR_BENCH_SYSTEM, noteTool } from './governor-agents.js';

/**
 * `pnpm bench governor`: a fleet of agentq worker PROCESSES with the Redis governor against a naive baseline
 * (plain SDK clients with the SDK's own retries, `maxRetries: 2`, no governor) doing the same 4-step
 * conversations with the same concurrency, each against a fresh mock-anthropic with the same limits.
 * Requests per minute is the binding limit; token limits are set too, with headroom.
 *
 * Before each measured run the mock's requests bucket (and the governor's) is emptied, so the limit binds from
 * the first request rather than after a minute's worth of initial burst.
 * Reported per run, from the mock's own request log:
 * - utilization: successful requests per minute while the limit binds (from the moment the bucket's initial
 *   burst of `rpm` requests is spent to the last request), divided by the limit;
 * - share429: requests answered 429 / all requests.
 * Sizes and limits come from GOVERNOR_BENCH_{SESSIONS,RPM,CONCURRENCY,LATENCY_MS}.
 */
export async function governor(): Promise<Record<string, unknown>> {
  const num = (name: string, fallback: number) => {
    const raw = process.env[`GOVERNOR_BENCH_${name}`];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!(Number.isFinite(value) && value > 0)) throw new Error(`GOVERNOR_BENCH_${name} must be a positive number (got ${raw})`);
    return value;
  };
  const config = {
    sessions: num('SESSIONS', 150),
    stepsPerSession: 4,
    workerProcesses: 2,
    concurrencyPerProcess: num('CONCURRENCY', 50),
    rpm: num('RPM', 600),
    latencyMs: num('LATENCY_MS', 100),
    maxTokens: 256,
  };
  // Token limits with headroom, so requests per minute binds.
  const limits = { rpm: config.rpm, itpm: config.rpm * 1000, otpm: config.rpm * 300 };
  const redis = await benchRedis();
  try {
    process.stderr.write(`governor: agentq fleet, ${config.sessions} sessions x ${config.stepsPerSession} steps at ${config.rpm} RPM…\n`);
    const governed = await runFleet(redis.url, config, limits);
    process.stderr.write('governor: naive baseline (SDK retries, no governor)…\n');
    const baseline = await runNaive(config, limits);
    return {
      config: { ...config, limits, binding: 'requests per minute' },
      agentq: governed,
      baseline,
      targets: { utilization: '>= 0.95', share429: '<= 0.01' },
      met: { utilization: (governed.utilization ?? 0) >= 0.95, share429: governed.share429 <= 0.01 },
    };
  } finally {
    await redis.stop();
  }
}

interface Config {
  sessions: number;
  stepsPerSession: number;
  workerProcesses: number;
  concurrencyPerProcess: number;
  rpm: number;
  latencyMs: number;
  maxTokens: number;
}
interface Limits {
  rpm: number;
  itpm: number;
  otpm: number;
}

function sessionScript(i: number): string {
  const script = [{ tool: 'note', input: { n: 1 } }, { tool: 'note', input: { n: 2 } }, { tool: 'note', input: { n: 3 } }, { text: `session ${i} done` }];
  return `Benchmark session ${i}.\n\n${JSON.stringify({ script })}`;
}

async function startMock(config: Config, limits: Limits): Promise<MockServer> {
  return startMockAnthropic({ ...limits, latencyMs: config.latencyMs, jitterMs: Math.round(config.latencyMs / 2), maxRecorded: 500_000, seed: 7 });
}

function measure(requests: RecordedRequest[], config: Config, wallMs: number, completed: number, initialLevel: number) {
  const ok = requests.filter((r) => r.status === 200);
  const refused = requests.filter((r) => r.status === 429).length;
  const first = requests[0]?.at ?? 0;
  const last = ok.at(-1)?.at ?? first;
  // Replays the mock's requests bucket (capacity rpm, refilled rpm/min, charged on admission at arrival) to
  // find when any burst left in it was spent; from then on the limit binds and at most rpm/min can pass.
  let level = initialLevel;
  let at = first;
  let boundAt: number | undefined;
  for (const r of requests) {
    level = Math.min(config.rpm, level + ((r.at - at) * config.rpm) / 60_000);
    at = r.at;
    if (r.status === 200) level -= 1;
    if (boundAt === undefined && level < 1) boundAt = r.at;
  }
  const boundMinutes = boundAt === undefined ? 0 : (last - boundAt) / 60_000;
  const okWhileBound = boundAt === undefined ? 0 : ok.filter((r) => r.at > boundAt).length;
  const achievedRpm = boundMinutes > 0 ? okWhileBound / boundMinutes : undefined;
  return {
    sessionsCompleted: completed,
    requests: requests.length,
    ok: ok.length,
    answered429: refused,
    otherErrors: requests.length - ok.length - refused,
    durationS: round((last - first) / 1000, 1),
    wallS: round(wallMs / 1000, 1),
    limitBoundForS: round(boundMinutes * 60, 1),
    achievedRpmWhileBound: achievedRpm === undefined ? null : round(achievedRpm, 1),
    utilization: achievedRpm === undefined ? null : round(achievedRpm / config.rpm, 4),
    share429: round(refused / Math.max(1, requests.length), 4),
    /** When the 429s came, in seconds from the first request: a cluster at 0 is start-up, not pacing. */
    answered429At: summarize(requests.filter((r) => r.status === 429).map((r) => (r.at - first) / 1000)),
  };
}

/**
 * Empties the mock's requests bucket (tiny calls until one is refused) so the measured run is paced by the
 * refill from its first request, instead of spending its first minute on the bucket's initial burst.
 */
async function drainMock(mock: MockServer): Promise<number> {
  const client = new Anthropic({ apiKey: 'bench-key', baseURL: mock.url, maxRetries: 0 });
  let refused = false;
  let sent = 0;
  const one = async () => {
    while (!refused) {
      sent++;
      try {
        await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1, messages: [{ role: 'user', content: 'drain' }] });
      } catch (error) {
        if (error instanceof Anthropic.APIError && error.status === 429) refused = true;
        else throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, one));
  mock.clearRequests();
  return sent;
}

function summarize(values: number[]): { first: number; median: number; last: number } | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { first: round(sorted[0]!, 2), median: round(sorted[Math.floor(sorted.length / 2)]!, 2), last: round(sorted.at(-1)!, 2) };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** agentq: worker processes with the governor, limits given by config (AGENTQ_RPM_LIMIT etc.). */
async function runFleet(redisUrl: string, config: Config, limits: Limits) {
  const mock = await startMock(config, limits);
  const queueName = `bench-gov-${randomUUID().slice(0, 8)}`;
  const prefix = `bg${randomUUID().slice(0, 6)}`;
  const agentsModule = fileURLToPath(new URL('./governor-agents.js', import.meta.url));
  const children: ChildProcess[] = [];
  const producer = new AgentProducer({ connection: redisUrl, queueName, prefix });
  try {
    for (let i = 0; i < config.workerProcesses; i++) {
      children.push(
        await spawnBenchWorker(agentsModule, config.concurrencyPerProcess, {
          REDIS_URL: redisUrl,
          AGENTQ_QUEUE: queueName,
          AGENTQ_PREFIX: prefix,
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: 'bench-key',
          AGENTQ_RPM_LIMIT: String(limits.rpm),
          AGENTQ_ITPM_LIMIT: String(limits.itpm),
          AGENTQ_OTPM_LIMIT: String(limits.otpm),
        }),
      );
    }
    // The governor's bucket (same key hash and model family as the workers') is emptied right after the
    // mock's, so both sides start the measured run from an empty bucket at the same moment.
    await drainMock(mock);
    const store = createRedis(redisUrl);
    try {
      const gov = new Governor(store, new Keys(prefix), { apiKey: 'bench-key', limits: { requestsPerMinute: limits.rpm }, maxInlineWaitMs: 0 });
      while ((await gov.acquire({ model: 'claude-sonnet-4-6', estimatedInput: 0, maxTokens: 0 })).granted);
    } finally {
      store.disconnect();
    }
    const started = performance.now();
    const ids = (await producer.startBatch(Array.from({ length: config.sessions }, (_, i) => ({ agent: 'bench', input: sessionScript(i) })))).map(
      (s) => s.sessionId,
    );
    const results = await producer.waitAll(ids, { timeoutMs: 20 * 60_000 });
    const wallMs = performance.now() - started;
    return measure(mock.requests(), config, wallMs, results.filter((r) => r.status === 'completed').length, 0);
  } finally {
    await stopBenchWorkers(children);
    await producer.close();
    await mock.close();
  }
}

/** The baseline: the same conversations through plain SDK clients, the SDK retrying 429s itself. */
async function runNaive(config: Config, limits: Limits) {
  const mock = await startMock(config, limits);
  const clients = Array.from({ length: config.workerProcesses }, () => new Anthropic({ apiKey: 'bench-key', baseURL: mock.url, maxRetries: 2 }));
  const tools = [
    {
      name: noteTool.name,
      description: noteTool.description,
      input_schema: noteTool.inputSchema as Anthropic.Tool.InputSchema,
      cache_control: { type: 'ephemeral' as const },
    },
  ];
  await drainMock(mock);
  let next = 0;
  let completed = 0;
  const loop = async (client: Anthropic) => {
    for (let i = next++; i < config.sessions; i = next++) {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: sessionScript(i) }];
      for (let step = 0; step < config.stepsPerSession; step++) {
        let response: Anthropic.Message | undefined;
        // A naive app retries a call that still failed after the SDK's own retries.
        while (!response) {
          try {
            response = await client.messages.create({
              model: 'claude-sonnet-4-6',
              max_tokens: config.maxTokens,
              system: [{ type: 'text', text: GOVERNOR_BENCH_SYSTEM, cache_control: { type: 'ephemeral' } }],
              tools,
              messages,
            });
          } catch (error) {
            if (!(error instanceof Anthropic.APIError) || (error.status !== 429 && error.status !== undefined && error.status < 500)) throw error;
          }
        }
        const uses = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        if (uses.length === 0) break;
        messages.push({ role: 'assistant', content: response.content });
        messages.push({ role: 'user', content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: 'noted' })) });
      }
      completed++;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(clients.flatMap((client) => Array.from({ length: config.concurrencyPerProcess }, () => loop(client))));
    return measure(mock.requests(), config, performance.now() - started, completed, 0);
  } finally {
    await mock.close();
  }
}
