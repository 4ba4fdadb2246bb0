/**
 * One worker process of the durability benchmark:
 * `node chain-child.js <mode> <redisUrl> <queue> <prefix> <sessions> <steps> <concurrency> <loaded|unloaded>`.
 * - `agentq`: real agentq steps (instant model, one no-op tool call per step).
 * - `naive`: the loop a user would hand-roll on BullMQ: the real SDK's `messages.create` through the same
 *   instant fetch, the tool input validated with zod, the no-op tool run, the next job added with a
 *   deterministic id; no checkpoints, no guards.
 * - `bare`: a BullMQ chain whose processor only adds the session's next job.
 * Each first warms its code up on a queue of its own. `loaded`: the parent enqueued every session before the
 * child started; the child consumes them and prints `{ done, elapsedMs, cpuMs, clientCommands, roundTrips }`.
 * `unloaded`: the child runs one session at a time itself (concurrency 1) and prints the same line.
 */
import { AgentProducer } from '@agentq/producer';
import { createRedis, defineAgent, defineTool } from '@agentq/shared';
import { RoundTripCounter } from '@agentq/shared/testing';
import { startWorker } from '@agentq/worker';
import Anthropic from '@anthropic-ai/sdk';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { z } from 'zod';
import { instantModelFetch } from './instant-model.js';

type Mode = 'agentq' | 'naive' | 'bare';
const [modeArg, url, queueName, prefix, sessionsArg, stepsArg, concurrencyArg, loadArg] = process.argv.slice(2);
if (!url || !queueName || !prefix || (modeArg !== 'agentq' && modeArg !== 'bare' && modeArg !== 'naive')) {
  process.stderr.write('usage: chain-child <agentq|naive|bare> <redisUrl> <queue> <prefix> <sessions> <steps> <concurrency> <loaded|unloaded>\n');
  process.exit(2);
}
const mode: Mode = modeArg;
const sessions = Number(sessionsArg);
const steps = Number(stepsArg);
const unloaded = loadArg === 'unloaded';
const concurrency = unloaded ? 1 : Number(concurrencyArg);
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
/** About 1,000 warm-up steps, whatever the session length. */
const WARMUP_SESSIONS = Math.max(10, Math.round(1000 / steps));

/** A started chain worker: `run` consumes until `sessions` sessions finished. */
interface Chain {
  run(): void;
  whenFinished(count: number): Promise<void>;
  /** Adds one session's first step (unloaded runs and warm-up). */
  enqueue(i: number): Promise<void>;
  close(): Promise<void>;
}

const noop = defineTool({ name: 'noop', description: 'Does nothing', input: z.object({ n: z.number() }), risk: 'safe', run: () => 'ok' });

function finishedCounter() {
  let finished = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    add() {
      finished += 1;
      for (const w of waiters.filter((w) => finished >= w.count)) w.resolve();
    },
    until(count: number) {
      return finished >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
  };
}

async function startChain(kind: Mode, queue: string, keyPrefix: string, workers: number): Promise<Chain> {
  const finished = finishedCounter();
  if (kind === 'agentq') {
    const agent = defineAgent({ name: 'bench', system: 'Benchmark agent.', tools: [noop], limits: { maxSteps: steps + 1 } });
    const worker = await startWorker({
      agents: [agent],
      connection: url as string,
      queueName: queue,
      prefix: keyPrefix,
      concurrency: workers,
      logger: pino({ level: process.env.AGENTQ_LOG_LEVEL ?? 'warn' }),
      model: { apiKey: 'bench', fetch: instantModelFetch(steps) },
      autorun: false,
      reconciler: false,
    });
    worker.worker.on('completed', (_job, result) => {
      if (result === 'completed') finished.add();
    });
    let producer: AgentProducer | undefined;
    return {
      run: () => void worker.worker.run(),
      whenFinished: (count) => finished.until(count),
      enqueue: async (i) => {
        producer ??= new AgentProducer({ connection: url as string, queueName: queue, prefix: keyPrefix });
        await producer.start({ agent: 'bench', input: `benchmark session ${i}`, sessionId: `ses_u${i}` });
      },
      close: async () => {
        await worker.close();
        await producer?.close();
      },
    };
  }
  const connection = createRedis(url as string) as unknown as ConnectionOptions;
  const q = new Queue(queue, { connection });
  const sdk = new Anthropic({ apiKey: 'bench', maxRetries: 0, fetch: instantModelFetch(steps) });
  const request = (step: number): Anthropic.MessageCreateParamsNonStreaming => ({
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    system: 'Benchmark agent.',
    tools: [{ name: noop.name, description: noop.description, input_schema: noop.inputSchema as Anthropic.Tool.InputSchema }],
    // The conversation so far, as a hand-rolled loop would keep it in memory: the fetch answers turn `step`.
    messages: [
      { role: 'user', content: 'benchmark session' },
      ...Array.from({ length: step }, (_, k) => [
        { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: `toolu_${k}`, name: 'noop', input: { n: k } }] },
        { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: `toolu_${k}`, content: 'ok' }] },
      ]).flat(),
    ],
  });
  const processor = async (job: Job<{ sessionId: string; step: number }>) => {
    const { sessionId, step } = job.data;
    if (kind === 'naive') {
      const message = await sdk.messages.create(request(step));
      for (const block of message.content) {
        if (block.type !== 'tool_use') continue;
        const input = noop.input.parse(block.input);
        await noop.run(input, {
          sessionId,
          step,
          toolUseId: block.id,
          idempotencyKey: block.id,
          agent: 'bench',
          tenant: undefined,
          metadata: {},
          signal: new AbortController().signal,
        } as never);
      }
    }
    if (step + 1 < steps) {
      await q.add('step', { sessionId, step: step + 1 }, { jobId: `${sessionId}-s${step + 1}`, removeOnComplete: { age: 24 * 3600, count: 100_000 } });
      return 'advanced';
    }
    return 'completed';
  };
  const worker = new Worker(queue, processor, { connection, concurrency: workers, autorun: false });
  worker.on('completed', (_job, result) => {
    if (result === 'completed') finished.add();
  });
  return {
    run: () => void worker.run(),
    whenFinished: (count) => finished.until(count),
    enqueue: async (i) => {
      await q.add('step', { sessionId: `ses_u${i}`, step: 0 }, { jobId: `ses_u${i}-s0`, removeOnComplete: { age: 24 * 3600, count: 100_000 } });
    },
    close: async () => {
      await worker.close();
      await q.close();
    },
  };
}

// Warm-up on a queue and prefix of its own: the code paths are compiled before anything is measured.
const warm = await startChain(mode, `${queueName}-warm`, `${prefix}w`, 50);
warm.run();
for (let i = 0; i < WARMUP_SESSIONS; i++) await warm.enqueue(i);
await warm.whenFinished(WARMUP_SESSIONS);
await warm.close();

const chain = await startChain(mode, queueName, prefix, concurrency);
// Loaded runs count client commands only: their round trips overlap, and the counter's own work is not the step's.
const counter = new RoundTripCounter({ commandsOnly: !unloaded });
// The parent reads Redis's counters after the warm-up, then says go.
say({ ready: true });
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const cpuBefore = process.cpuUsage();
counter.start();
const started = performance.now();
chain.run();
if (unloaded) {
  // One session at a time: the latency a user feels, not queueing behind other sessions.
  for (let i = 0; i < sessions; i++) {
    await chain.enqueue(i);
    await chain.whenFinished(i + 1);
  }
} else {
  await chain.whenFinished(sessions);
}
const elapsedMs = performance.now() - started;
counter.stop();
const cpu = process.cpuUsage(cpuBefore);
await chain.close();
say({
  done: sessions,
  elapsedMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  clientCommands: counter.commands,
  roundTrips: counter.roundTrips,
  clientBytesOut: counter.bytesOut,
});
process.exit(0);
