import { defineAgent, defineTool } from '@agentq/shared';
import type { StartWorkerOptions } from '@agentq/worker';
import { z } from 'zod';
import { type Harness, scripted, startHarness } from './harness.js';
import type { RedisServer } from './redis-server.js';

/**
 * The fault tests' stack on a private Redis: an agent named `name` with one safe `lookup` tool, a mock model
 * with some latency (so steps are in flight when the fault lands) and two workers. `start(n)` enqueues n
 * sessions of `lookups` tool steps and a final answer, and returns their ids.
 */
export async function startFaultStack(
  server: RedisServer,
  name: string,
  options: { latencyMs?: number; jitterMs?: number; worker?: Partial<StartWorkerOptions> } = {},
): Promise<{ h: Harness; start(n: number, lookups?: number): Promise<string[]> }> {
  const lookup = defineTool({ name: 'lookup', description: 'Look up', input: z.object({ q: z.string() }), risk: 'safe', run: ({ q }) => `found ${q}` });
  const agent = defineAgent({ name, system: 'Test agent.', tools: [lookup], limits: { loop: { threshold: 50, window: 60 } } });
  const h = await startHarness({
    redisUrl: server.url,
    queueName: name,
    prefix: name,
    agents: [agent],
    mock: { latencyMs: options.latencyMs ?? 100, jitterMs: options.jitterMs ?? 100 },
    workers: 2,
    ...(options.worker ? { worker: options.worker } : {}),
  });
  const start = async (n: number, lookups = 2) => {
    const script = (i: number) => [...Array.from({ length: lookups }, (_, k) => ({ tool: 'lookup', input: { q: `${k}-${i}` } })), { text: `done ${i}` }];
    return (await h.producer.startBatch(Array.from({ length: n }, (_, i) => ({ agent: name, input: scripted(`${name} session ${i}`, script(i)) })))).map(
      (r) => r.sessionId,
    );
  };
  return { h, start };
}
