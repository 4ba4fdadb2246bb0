import { startMockAnthropic, type MockServer, type RecordedRequest } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { createRedis, defineAgent, defineTool, type LimitsInput, type Redis } from '@agentq/shared';
import { startWorker } from '@agentq/worker';
import { pino } from 'pino';
import { z } from 'zod';
import { benchRedis } from '../bench-redis.js';

const AGENT_MODEL = 'claude-sonnet-5-5';
const SUMMARY_MODEL = 'claude-haiku-4-5';
const QUEUE = 'bench-memory';
const PREFIX = 'bmem';

/**
 * `pnpm bench memory`: a 200-step scripted session with 2 KB tool results, through the mock model and the
 * real SDK, run twice in the same run: with the working-memory window (`memory.windowTokens`) and without
 * it (the whole history every step). Read from the mock's recorded requests: the largest prompt sent and
 * the total input tokens (uncached + cache reads + cache writes, summary calls included).
 * Targets: largest windowed prompt ≤ windowTokens + pinned task + summary bound (+ tools and system), and
 * windowed total ≤ 15% of the unbounded total. Also measures `MEMORY USAGE` of each session's Redis keys,
 * and the prompt cache: `cacheReadShare` = cache reads ÷ (uncached input + cache writes + cache reads) of
 * each session, including a 50-step session with thinking on (the conversation breakpoint and the
 * append-only prompt are what make it read its prefix back).
 *
 * Sizes: `--steps N` / AGENTQ_BENCH_STEPS (200), `--result-bytes N` / AGENTQ_BENCH_RESULT_BYTES (2048),
 * `--window-tokens N` / AGENTQ_BENCH_WINDOW_TOKENS (4000).
 */
export async function memory(): Promise<Record<string, unknown>> {
  const steps = setting('steps', 'AGENTQ_BENCH_STEPS', 200);
  const resultBytes = setting('result-bytes', 'AGENTQ_BENCH_RESULT_BYTES', 2048);
  const windowTokens = setting('window-tokens', 'AGENTQ_BENCH_WINDOW_TOKENS', 4000);
  const summaryMaxTokens = 1024;
  const server = await benchRedis();
  const redis = createRedis(server.url);
  const mock = await startMockAnthropic({ maxRecorded: 100_000 });
  const agent = makeAgent(steps);
  const thinker = { ...makeAgent(steps), name: 'bench-thinker', thinking: { type: 'adaptive' as const } };
  const producer = new AgentProducer({ connection: server.url, queueName: QUEUE, prefix: PREFIX });
  const worker = await startWorker({
    agents: [agent, thinker],
    connection: server.url,
    queueName: QUEUE,
    prefix: PREFIX,
    concurrency: 1,
    logger: pino({ level: 'silent' }),
    model: { apiKey: 'bench-key', baseURL: mock.url },
  });
  try {
    const unbounded = await runSession(producer, mock, redis, 'unbounded', steps, resultBytes, {});
    const windowed = await runSession(producer, mock, redis, 'windowed', steps, resultBytes, { memory: { windowTokens, summaryMaxTokens } });
    const typical = await runSession(producer, mock, redis, 'typical', 10, 1024, { memory: { windowTokens } });
    const thinking = await runSession(producer, mock, redis, 'thinking', 50, resultBytes, { memory: { windowTokens, summaryMaxTokens } }, 'bench-thinker');
    const fixedPart = windowed.firstPromptTokens; // tools + system + the pinned task, sent at every step
    const bound = fixedPart + windowTokens + summaryMaxTokens;
    const ratio = windowed.totalInputTokens / unbounded.totalInputTokens;
    return {
      config: {
        steps,
        resultBytes,
        windowTokens,
        summaryMaxTokens,
        foldTo: 0.5,
        agentModel: AGENT_MODEL,
        summaryModel: SUMMARY_MODEL,
        tokenizer: 'mock: 4 characters a token',
      },
      unbounded: strip(unbounded),
      windowed: strip(windowed),
      largestPromptBound: { tokens: bound, pinnedTaskAndFixedPrefix: fixedPart, windowTokens, summaryMaxTokens },
      totalInputRatio: round(ratio, 4),
      targets: { largestPromptWithinBound: windowed.largestPromptTokens <= bound, totalInputAtMost15Percent: ratio <= 0.15 },
      pass: windowed.largestPromptTokens <= bound && ratio <= 0.15,
      footprint: { windowed200Steps: windowed.footprint, typical10Steps: typical.footprint },
      cacheReadShare: { unbounded: unbounded.cacheReadShare, windowed: windowed.cacheReadShare, thinking50StepsWindowed: thinking.cacheReadShare },
      thinking50Steps: strip(thinking),
    };
  } finally {
    await worker.close();
    await producer.close();
    await mock.close();
    redis.disconnect();
    await server.stop();
  }
}

function makeAgent(steps: number) {
  const fetchPage = defineTool({
    name: 'fetch_page',
    description: 'Fetch a page of text by number',
    input: z.object({ n: z.number(), size: z.number() }),
    risk: 'safe',
    run: async ({ n, size }) => `page ${n}: ${'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(size / 45))}`.slice(0, size),
  });
  return defineAgent({
    name: 'bench-reader',
    model: AGENT_MODEL,
    system: 'You are a research agent. Read the pages you are asked to read and report what they say.',
    tools: [fetchPage],
    limits: { maxSteps: steps + 10, loop: { threshold: steps + 10, window: 9 } },
  });
}

interface SessionRun {
  status: string;
  steps: number;
  elapsedMs: number;
  modelCalls: number;
  summaryCalls: number;
  largestPromptTokens: number;
  firstPromptTokens: number;
  lastPromptTokens: number;
  totalInputTokens: number;
  summaryInputTokens: number;
  /** Cache reads ÷ all prompt tokens (uncached input, cache writes, cache reads) of the session's calls. */
  cacheReadShare: number;
  /**
   * Bytes Redis sent to its clients while the session ran, per step (INFO stats; this benchmark's Redis
   * serves only it): what a step reads, its history load most of all.
   */
  redisBytesOutPerStep: number;
  session: { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; outputTokens: number; costUsd: number };
  footprint: Footprint;
}

async function runSession(
  producer: AgentProducer,
  mock: MockServer,
  redis: Redis,
  label: string,
  steps: number,
  resultBytes: number,
  limits: LimitsInput,
  agentName = 'bench-reader',
): Promise<SessionRun> {
  mock.clearRequests();
  // Every call's input is unique, so the loop detector never sees a repeat.
  const script = [...Array.from({ length: steps }, (_, n) => ({ tool: 'fetch_page', input: { n, size: resultBytes } })), { text: 'All pages read.' }];
  const input = `Read pages 0 to ${steps - 1} and report.\n\n${JSON.stringify({ script })}`;
  const bytesBefore = await bytesOut(redis);
  const started = performance.now();
  const { sessionId } = await producer.start({ agent: agentName, input, limits, metadata: { bench: label } });
  const result = await producer.wait(sessionId, { timeoutMs: 30 * 60_000 });
  const elapsedMs = Math.round(performance.now() - started);
  const redisBytesOutPerStep = ((await bytesOut(redis)) - bytesBefore) / Math.max(1, result.steps);
  if (result.status !== 'completed') throw new Error(`${label} session ended ${result.status}: ${JSON.stringify(result.error)}`);
  const requests = mock.requests().filter((r) => r.status === 200);
  const agentCalls = requests.filter((r) => r.model === AGENT_MODEL);
  const summaryCalls = requests.filter((r) => r.model === SUMMARY_MODEL);
  const tokens = (rs: RecordedRequest[]) => rs.reduce((sum, r) => sum + r.inputTokens, 0);
  return {
    status: result.status,
    steps: result.steps,
    elapsedMs,
    modelCalls: agentCalls.length,
    summaryCalls: summaryCalls.length,
    largestPromptTokens: Math.max(...agentCalls.map((r) => r.inputTokens)),
    firstPromptTokens: agentCalls[0]?.inputTokens ?? 0,
    lastPromptTokens: agentCalls.at(-1)?.inputTokens ?? 0,
    totalInputTokens: tokens(requests),
    summaryInputTokens: tokens(summaryCalls),
    cacheReadShare: round(
      result.usage.cacheReadTokens / Math.max(1, result.usage.inputTokens + result.usage.cacheWriteTokens + result.usage.cacheReadTokens),
      4,
    ),
    redisBytesOutPerStep: Math.round(redisBytesOutPerStep),
    session: result.usage,
    footprint: await footprint(redis, sessionId),
  };
}

async function bytesOut(redis: Redis): Promise<number> {
  return Number(/total_net_output_bytes:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
}

interface Footprint {
  totalBytes: number;
  keys: number;
  byKind: Record<string, { keys: number; bytes: number }>;
}

/** `MEMORY USAGE` of every key of one session, by kind (record, history, checkpoints, memory, events, …). */
async function footprint(redis: Redis, sessionId: string): Promise<Footprint> {
  const base = `${PREFIX}:s:{${sessionId}}`;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const byKind: Record<string, { keys: number; bytes: number }> = {};
  let totalBytes = 0;
  for (const key of keys) {
    const bytes = Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    const rest = key.slice(base.length);
    const kind = rest === '' ? 'record' : (rest.split(':')[1] ?? rest).replace(/^ckpt$/, 'checkpoints');
    const entry = (byKind[kind] ??= { keys: 0, bytes: 0 });
    entry.keys++;
    entry.bytes += bytes;
    totalBytes += bytes;
  }
  return { totalBytes, keys: keys.length, byKind };
}

function strip(run: SessionRun): Omit<SessionRun, 'footprint'> {
  const { footprint: _footprint, ...rest } = run;
  return rest;
}

function setting(flag: string, env: string, fallback: number): number {
  const i = process.argv.indexOf(`--${flag}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  const n = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${i >= 0 ? `--${flag}` : env} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
