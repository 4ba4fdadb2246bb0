import { defineAgent, defineTool } from '@agentq/shared';
import { Keys } from '@agentq/shared/internal';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { scripted, startHarness } from './support/harness.js';
import { RedisServer } from './support/redis-server.js';
import { monitorRedis } from './support/monitor.js';

/**
 * The most Redis commands (INFO commandstats: the commands scripts run inside Lua included, BullMQ's own too)
 * a middle step may cost. Measured 91; the ceiling leaves a little room for BullMQ's scripts, whose work
 * varies with what else the queue holds.
 */
const CEILING = 95;
/**
 * The most scripts a middle step with one tool call runs: tenant slot, governor acquire and settle, model
 * checkpoint (with the turn's loop check inside), tool result checkpoint, the step's one global-stream copy,
 * commit, and BullMQ's next-job add and job end. The loop check ran as a script of its own before (11), and
 * each checkpoint's events had a copy of their own (10).
 */
const SCRIPTS = 9;

const lookup = defineTool({ name: 'lookup', description: 'Looks up', input: z.object({ q: z.string() }), risk: 'safe', run: ({ q }) => `found ${q}` });
const agent = defineAgent({ name: 'commands', system: 'Counts commands.', tools: [lookup] });

/** Calls per command since the last CONFIG RESETSTAT (`cmdstat_hset:calls=3,…` → { hset: 3 }). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m) calls.set(m[1] as string, Number(m[2]));
  }
  return calls;
}

describe('Redis commands of a step', () => {
  // Its own server: INFO commandstats counts every client's commands, and other test files share the suite's.
  test(`a middle step costs at most ${CEILING} Redis commands, Lua-internal ones included, in at most ${SCRIPTS} scripts`, async () => {
    const server = await RedisServer.start();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const prefix = 'cmds';
    const h = await startHarness({ redisUrl: server.url, queueName: 'cmds', prefix, agents: [agent], workers: 1, worker: { concurrency: 1 } });
    /** Commands one whole session costs, from its start to its terminal state, by command name. */
    const sessionCost = async (turns: number) => {
      await redis.config('RESETSTAT');
      const input = scripted('count', [...Array.from({ length: turns }, (_, i) => ({ tool: 'lookup', input: { q: `q${i}` } })), { text: 'done' }]);
      const { sessionId } = await h.producer.start({ agent: 'commands', input });
      const deadline = Date.now() + 20_000;
      let polls = 1;
      for (; (await redis.hget(new Keys(prefix).session(sessionId), 'status')) !== 'completed'; polls++) {
        if (Date.now() > deadline) throw new Error(`session ${sessionId} did not complete`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The step's job ends after its commit: let the worker's last writes land before reading the counts.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const calls = await commandCalls(redis);
      // This test's own polling is not the session's.
      calls.set('hget', (calls.get('hget') ?? 0) - polls);
      return calls;
    };
    try {
      await sessionCost(1); // warm-up: scripts load on first use
      // One more tool turn is one more middle step: the difference of two sessions is what it costs.
      // Work a worker does about once a second (trimming the set of published event ids and the global stream
      // by age) lands in one session or another: the cheaper of two runs of each length is the step's own cost.
      const total = (calls: Map<string, number>) => [...calls.values()].reduce((sum, n) => sum + n, 0);
      const cheaper = (a: Map<string, number>, b: Map<string, number>) => (total(b) < total(a) ? b : a);
      const short = cheaper(await sessionCost(2), await sessionCost(2));
      const lines: string[] = [];
      const stop = process.env.AGENTQ_TRACE_COMMANDS ? await monitorRedis(server.url, (l) => lines.push(l)) : undefined;
      const long = cheaper(await sessionCost(3), await sessionCost(3));
      stop?.();
      if (stop) console.log(lines.map((l) => l.replace(/^[0-9.]+ \[[^\]]*\] /, '').slice(0, 160)).join('\n'));
      const perCommand = [...long].map(([name, n]) => [name, n - (short.get(name) ?? 0)] as const).filter(([, n]) => n !== 0);
      const perStep = perCommand.reduce((sum, [, n]) => sum + n, 0);
      console.log(
        `middle step Redis commands: ${perStep} (ceiling ${CEILING}): ${perCommand
          .sort((a, b) => b[1] - a[1])
          .map(([name, n]) => `${name} ${n}`)
          .join(', ')}`,
      );
      expect(perStep).toBeGreaterThan(0);
      expect(perStep).toBeLessThanOrEqual(CEILING);
      expect(perCommand.find(([name]) => name === 'evalsha')?.[1]).toBeLessThanOrEqual(SCRIPTS);
    } finally {
      await h.close();
      redis.disconnect();
      await server.destroy();
    }
  }, 60_000);
});
