import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProducer } from '@agentq/producer';
import { createRedis, defineAgent, defineTool, STEP_RETRY, stepJobId } from '@agentq/shared';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { startWorker } from '@agentq/worker';
import { type ConnectionOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, testLogger } from './support/harness.js';
import { sourceFiles } from './support/import-graph.js';

const ROOT = new URL('..', import.meta.url).pathname;
/** The one module that adds jobs: it takes each job's schema, retry and retention from the catalog. */
const CATALOG_ADDER = 'packages/shared/src/queue/add-job.ts';
/** What ships and what users copy. The bench is left out: its baselines add bare BullMQ jobs on purpose, to compare agentq against. */
const SOURCES = ['packages/shared/src', 'packages/worker/src', 'packages/producer/src', 'packages/mock-anthropic/src', 'examples/src'];
const QUEUE_ADD = /\b\w*queue\w*\s*\.\s*(add|addBulk|upsertJobScheduler)\s*\(/gi;

describe('the job catalog', () => {
  // Jobs were added with options spelled at each call site (the approval timeout's in the risk gate, the
  // batch lane's in the lane), so a kind's retry policy depended on who added it.
  test('every job is added through the catalog: no other source file calls queue.add, addBulk or upsertJobScheduler', () => {
    const files = sourceFiles(ROOT, SOURCES);
    const offenders: string[] = [];
    let adds = 0;
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const hits = [...text.matchAll(QUEUE_ADD)].length;
      if (file === CATALOG_ADDER) adds = hits;
      else if (hits > 0) offenders.push(`${file} (${hits})`);
    }
    console.log(`${files.length} files scanned, ${adds} queue writes in ${CATALOG_ADDER}, ${offenders.length} elsewhere`);
    expect(offenders).toEqual([]);
    // add (one job), add and addBulk (one job or many), upsertJobScheduler
    expect(adds).toBe(4);
  });

  // Step 0 was added with the producer's default retry policy and step n+1 with the worker's (defaulted
  // separately in shared, worker and producer).
  test('step 0 (added by the producer) and step 1 (added by the worker) get the same attempts and backoff', async ({ redisUrl, queueName, prefix }) => {
    const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => value });
    const agent = defineAgent({ name: 'policy', system: 's', tools: [echo] });
    const mock = await startMockAnthropic({});
    const producer = new AgentProducer({ connection: redisUrl, queueName, prefix });
    const worker = await startWorker({
      agents: [agent],
      connection: redisUrl,
      queueName,
      prefix,
      logger: testLogger,
      model: { apiKey: 'test-key', baseURL: mock.url },
      reconciler: false,
    });
    const redis = createRedis(redisUrl);
    const queue = new Queue(queueName, { connection: redis as unknown as ConnectionOptions });
    try {
      const { sessionId } = await producer.start({
        agent: 'policy',
        input: scripted('Echo once.', [{ tool: 'echo', input: { value: 'a' } }, { text: 'done' }]),
      });
      const result = await producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      const [first, second] = await Promise.all([queue.getJob(stepJobId(sessionId, 0)), queue.getJob(stepJobId(sessionId, 1))]);
      const policy = (job: typeof first) => ({ attempts: job?.opts.attempts, backoff: job?.opts.backoff });
      console.log(`step 0 ${JSON.stringify(policy(first))}, step 1 ${JSON.stringify(policy(second))}`);
      expect(policy(first)).toEqual(policy(second));
      expect(policy(first)).toEqual({ attempts: STEP_RETRY.attempts, backoff: { type: 'exponential', delay: STEP_RETRY.backoffMs, jitter: 1 } });
    } finally {
      await queue.close();
      redis.disconnect();
      await worker.close();
      await producer.close();
      await mock.close();
    }
  });
});
