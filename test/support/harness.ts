import { type Agent, AgentRegistry, type Redis, type RedisTarget } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { startMockAnthropic, type MockOptions, type MockServer } from '@agentq/mock-anthropic';
import { AgentProducer } from '@agentq/producer';
import { type AgentqWorker, type StartWorkerOptions, startWorker } from '@agentq/worker';
import { pino } from 'pino';

export interface Harness {
  mock: MockServer;
  producer: AgentProducer;
  workers: AgentqWorker[];
  startWorker(overrides?: Partial<StartWorkerOptions>): Promise<AgentqWorker>;
  close(): Promise<void>;
}

/** Quiet logs in tests unless AGENTQ_TEST_LOGS is set. */
export const testLogger = pino({ level: process.env.AGENTQ_TEST_LOGS ? 'debug' : 'silent' });

/** A mock model, a producer and in-process workers on the test's own queue and key prefix. */
export async function startHarness(options: {
  /** A Redis URL, or `{ cluster: nodes }` for a Redis Cluster. */
  redisUrl: RedisTarget;
  /** Queue shards of the producer and the workers. @defaultValue 1 */
  shards?: number;
  redis?: Redis;
  queueName: string;
  prefix: string;
  agents: Agent[];
  mock?: MockOptions;
  workers?: number;
  worker?: Partial<StartWorkerOptions>;
}): Promise<Harness> {
  const mock = await startMockAnthropic(options.mock ?? {});
  const shards = options.shards ?? 1;
  const producer = new AgentProducer({ connection: options.redisUrl, queueName: options.queueName, prefix: options.prefix, stepBackoffMs: 50, shards });
  const workers: AgentqWorker[] = [];
  const start = async (overrides: Partial<StartWorkerOptions> = {}) => {
    const worker = await startWorker({
      agents: options.agents,
      connection: options.redisUrl,
      shards,
      queueName: options.queueName,
      prefix: options.prefix,
      concurrency: 5,
      logger: testLogger,
      model: { apiKey: 'test-key', baseURL: mock.url },
      step: { stepBackoffMs: 50 },
      // The reconciler's scheduled job would show in the exact queue counts tests assert; fault tests turn it on.
      reconciler: false,
      ...options.worker,
      ...overrides,
    });
    workers.push(worker);
    return worker;
  };
  for (let i = 0; i < (options.workers ?? 1); i++) await start();
  // Tests that enqueue before any worker runs still enqueue agents the fleet serves.
  if ((options.workers ?? 1) === 0)
    await new AgentRegistry(producer.redis, new Keys(options.prefix), options.queueName).publish('test-harness', options.agents);
  return {
    mock,
    producer,
    workers,
    startWorker: start,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await mock.close();
    },
  };
}

/** The first user message the mock reads its script from. */
export function scripted(task: string, script: unknown[], extra: Record<string, unknown> = {}): string {
  return `${task}\n\n${JSON.stringify({ script, ...extra })}`;
}
