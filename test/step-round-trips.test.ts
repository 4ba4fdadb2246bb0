import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineAgent, defineTool } from '@agentq/shared';
import { Keys, readScriptDir } from '@agentq/shared/internal';
import { RoundTripCounter } from '@agentq/shared/testing';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

/**
 * The most sequential Redis round trips a middle step may take: one per phase (load, admit, model checkpoint,
 * tool results, commit, job end). A non-idempotent tool adds one: its atomic claim, which must land before the
 * tool runs and after the guards have let the call through.
 */
const TARGET = 6;
const CLAIM = 1;
/** Every package's Lua folder: a script lives beside the code that calls it (shared's or the worker's). */
const LUA_DIRS = ['shared', 'worker'].map((pkg) => fileURLToPath(new URL(`../packages/${pkg}/lua/`, import.meta.url)));

const lookup = defineTool({ name: 'lookup', description: 'Looks up', input: z.object({ q: z.string() }), risk: 'safe', run: ({ q }) => `found ${q}` });
const charge = defineTool({
  name: 'charge',
  description: 'Charges',
  input: z.object({ ref: z.string() }),
  risk: 'low',
  idempotent: false,
  run: ({ ref }) => `charged ${ref}`,
});
const agent = defineAgent({ name: 'round-trips', system: 'Counts round trips.', tools: [lookup, charge] });
// A working-memory window (never full here): its step reads the summary and calibrates its token estimate.
const windowed = defineAgent({ name: 'round-trips-windowed', system: 'Counts round trips.', tools: [lookup], limits: { memory: { windowTokens: 100_000 } } });

const toolTurns = (n: number, tool: 'lookup' | 'charge') =>
  Array.from({ length: n }, (_, i) => ({ tool, input: tool === 'lookup' ? { q: `q${i}` } : { ref: `r${i}` } }));

describe('round trips of a step', () => {
  test(`a middle step takes at most ${TARGET} sequential round trips to Redis (${TARGET + CLAIM} with a non-idempotent tool)`, async ({
    redisUrl,
    redis,
    queueName,
    prefix,
  }) => {
    // One step at a time: a step's job, from its fetch to its completion, is all that is in flight.
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent, windowed], workers: 1, worker: { concurrency: 1 } });
    const counter = new RoundTripCounter().ignore(redis);
    /** Everything one whole session costs, from start to its terminal state (seen on the test's own connection). */
    const sessionCost = async (turns: number, tool: 'lookup' | 'charge', agentName = agent.name) => {
      counter.reset();
      const { sessionId } = await h.producer.start({ agent: agentName, input: scripted('count', [...toolTurns(turns, tool), { text: 'done' }]) });
      const deadline = Date.now() + 20_000;
      while ((await redis.hget(new Keys(prefix).session(sessionId), 'status')) !== 'completed') {
        if (Date.now() > deadline) throw new Error(`session ${sessionId} did not complete`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // The step's job ends after its commit: let the worker's last writes land before reading the count.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return counter.snapshot();
    };
    try {
      counter.start();
      // Warm-up: scripts load (NOSCRIPT → EVAL) on first use.
      await sessionCost(1, 'lookup');
      await sessionCost(1, 'charge');
      for (const dir of LUA_DIRS)
        for (const script of readScriptDir(dir))
          counter.scriptNames.set(createHash('sha1').update(script.lua).digest('hex'), `${script.name}-${script.numberOfKeys}.lua`);
      /**
       * The round trips of the session's middle step, counted on the recorded trips: from the one that loads its
       * history to the one before the next step's load (its job's end included). Each step's load reads the
       * session's history, and nothing else does.
       */
      const middleStep = async (tool: 'lookup' | 'charge', agentName = agent.name) => {
        counter.record = true;
        await sessionCost(3, tool, agentName);
        counter.record = false;
        const trips = [...counter.trips];
        if (process.env.AGENTQ_TRACE_ROUND_TRIPS) console.log(trips.map((trip, i) => `${i + 1}. ${trip.join(' | ')}`).join('\n'));
        const loads = trips.flatMap((trip, i) => (trip.some((command) => command.startsWith('lrange ') && command.endsWith(':history')) ? [i] : []));
        expect(loads.length).toBe(4);
        return (loads[2] as number) - (loads[1] as number);
      };
      const safe = [await middleStep('lookup'), await middleStep('lookup'), await middleStep('lookup')];
      const claimed = [await middleStep('charge'), await middleStep('charge'), await middleStep('charge')];
      const inWindow = [await middleStep('lookup', windowed.name), await middleStep('lookup', windowed.name), await middleStep('lookup', windowed.name)];
      // The session-level difference too, for comparison with earlier measurements (its start and end vary).
      const short = Math.min((await sessionCost(2, 'lookup')).roundTrips, (await sessionCost(2, 'lookup')).roundTrips);
      const long = Math.min((await sessionCost(3, 'lookup')).roundTrips, (await sessionCost(3, 'lookup')).roundTrips);
      console.log(
        `middle step round trips: safe tool ${safe.join('/')}, non-idempotent tool ${claimed.join('/')}, windowed ${inWindow.join('/')} (target ≤ ${TARGET}, + ${CLAIM} for a claim); one more tool turn's session: +${long - short}`,
      );
      expect(Math.max(...safe)).toBeLessThanOrEqual(TARGET);
      expect(Math.min(...safe)).toBeGreaterThan(0);
      expect(Math.max(...claimed)).toBeLessThanOrEqual(TARGET + CLAIM);
      expect(Math.max(...inWindow)).toBeLessThanOrEqual(TARGET);
    } finally {
      counter.stop();
      await h.close();
    }
  });
});
