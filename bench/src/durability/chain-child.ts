/**
 * One worker process of the durability benchmark: `node chain-child.js <mode> <redisUrl> <queue> <prefix>
 * <sessions> <steps> <concurrency>`. `agentq` runs real agentq steps (instant model, one no-op tool call per
 * step); `bare` runs a BullMQ chain whose processor only adds the session's next job. Prints one JSON line
 * `{ ready }` when consuming starts and `{ done, elapsedMs }` when every session's last step completed.
 */
import { createRedis, defineAgent, defineTool } from '@agentq/shared';
import { startWorker } from '@agentq/worker';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { z } from 'zod';
import { instantModelFetch } from './instant-model.js';

const [mode, url, queueName, prefix, sessionsArg, stepsArg, concurrencyArg] = process.argv.slice(2);
if (!url || !queueName || !prefix || (mode !== 'agentq' && mode !== 'bare')) {
  process.stderr.write('usage: chain-child <agentq|bare> <redisUrl> <queue> <prefix> <sessions> <steps> <concurrency>\n');
  process.exit(2);
}
const sessions = Number(sessionsArg);
const steps = Number(stepsArg);
const concurrency = Number(concurrencyArg);
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

let finished = 0;
let started = 0;
let resolveDone: () => void = () => undefined;
const whenDone = new Promise<void>((resolve) => {
  resolveDone = resolve;
});
const onFinished = () => {
  finished += 1;
  if (finished === sessions) resolveDone();
};

if (mode === 'agentq') {
  const noop = defineTool({ name: 'noop', description: 'Does nothing', input: z.object({ n: z.number() }), risk: 'safe', run: () => 'ok' });
  const agent = defineAgent({ name: 'bench', system: 'Benchmark agent.', tools: [noop], limits: { maxSteps: steps + 1 } });
  const worker = await startWorker({
    agents: [agent],
    connection: url,
    queueName,
    prefix,
    concurrency,
    logger: pino({ level: process.env.AGENTQ_LOG_LEVEL ?? 'warn' }),
    model: { apiKey: 'bench', fetch: instantModelFetch(steps) },
    autorun: false,
  });
  worker.worker.on('completed', (_job, result) => {
    if (result === 'completed') onFinished();
  });
  started = performance.now();
  say({ ready: true });
  void worker.worker.run();
  await whenDone;
  const elapsedMs = performance.now() - started;
  await worker.close();
  say({ done: finished, elapsedMs });
} else {
  const connection = createRedis(url) as unknown as ConnectionOptions;
  const queue = new Queue(queueName, { connection });
  const processor = async (job: Job<{ sessionId: string; step: number }>) => {
    const { sessionId, step } = job.data;
    if (step + 1 < steps) {
      await queue.add('step', { sessionId, step: step + 1 }, { jobId: `${sessionId}-s${step + 1}`, removeOnComplete: { age: 24 * 3600, count: 100_000 } });
      return 'advanced';
    }
    return 'completed';
  };
  const worker = new Worker(queueName, processor, { connection, concurrency, autorun: false });
  worker.on('completed', (_job, result) => {
    if (result === 'completed') onFinished();
  });
  started = performance.now();
  say({ ready: true });
  void worker.run();
  await whenDone;
  const elapsedMs = performance.now() - started;
  await worker.close();
  await queue.close();
  say({ done: finished, elapsedMs });
}
process.exit(0);
