import { defineAgent, defineTool, enqueueStep, type Session } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { refusal } from './support/refusal.js';
import { type Harness, scripted, startHarness } from './support/harness.js';

function makeAgent(runs: string[]) {
  const wipe = defineTool({
    name: 'wipe',
    description: 'Delete every record',
    input: z.object({ table: z.string() }),
    risk: 'high',
    run: ({ table }) => {
      runs.push(`wipe:${table}`);
      return `wiped ${table}`;
    },
  });
  const ping = defineTool({
    name: 'ping',
    description: 'Ping a host',
    input: z.object({ host: z.string() }),
    risk: 'safe',
    run: ({ host }) => {
      runs.push(`ping:${host}`);
      return `pong ${host}`;
    },
  });
  return defineAgent({ name: 'guarded', system: 'You operate the database.', tools: [wipe, ping], limits: { maxSteps: 10, maxCostUsd: 1 } });
}

/** A session written straight into Redis, as a producer without these checks (or an older one) would. */
async function writeRaw(h: Harness, sessionId: string, input: string, limits: Session['limits']): Promise<void> {
  const now = Date.now();
  const session: Session = {
    sessionId,
    agent: 'guarded',
    status: 'queued',
    step: 0,
    input,
    metadata: {},
    limits,
    createdAt: now,
    updatedAt: now,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
  };
  await h.producer.stores.sessions.createMany([session], [[{ step: 0, message: { role: 'user', content: input } }]]);
  await enqueueStep(h.producer.queue, sessionId, 0);
}

describe("limits are ceilings: a session can only tighten its agent's limits", () => {
  // Bug: resolveLimits let the session win field by field, so `maxAutoRisk: high` ran a high-risk tool unapproved.
  test('looser overrides are refused at enqueue with limits_exceed_agent naming the field, and nothing is queued', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)], workers: 0 });
    try {
      const attacks = [
        { limits: { maxAutoRisk: 'high' as const }, field: 'limits.maxAutoRisk' },
        { limits: { maxCostUsd: 50 }, field: 'limits.maxCostUsd' },
        { limits: { maxSteps: 40 }, field: 'limits.maxSteps' },
        { limits: { loop: { threshold: 1000, window: 1000 } }, field: 'limits.loop.threshold' },
        { limits: { loop: { window: 2 } }, field: 'limits.loop.window' },
        { limits: { memory: { summaryModel: 'claude-opus-4-1' } }, field: 'limits.memory.summaryModel' },
      ];
      const codes: string[] = [];
      for (const attack of attacks) {
        const error = await refusal(
          h.producer.start({ agent: 'guarded', input: scripted('Wipe it.', [{ tool: 'wipe', input: { table: 'users' } }]), limits: attack.limits }),
        );
        codes.push(error.code);
        expect(error.details?.field).toBe(attack.field);
        expect(error.message).toContain(attack.field);
      }
      // One looser line in a batch refuses the whole batch.
      const batch = await refusal(
        h.producer.startBatch([
          { agent: 'guarded', input: 'fine', limits: { maxSteps: 5 } },
          { agent: 'guarded', input: 'greedy', limits: { maxAutoRisk: 'medium' } },
        ]),
      );
      const counts = await h.producer.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active');
      const sessions = await h.producer.stores.sessions.listIds();
      console.log(
        `[limits] refused=${codes.length} codes=${[...new Set(codes)].join(',')} batchField=${String(batch.details?.field)} jobs=${JSON.stringify(counts)} sessions=${sessions.length}`,
      );
      expect(codes).toEqual(attacks.map(() => 'limits_exceed_agent'));
      expect(batch.message).toContain('session 1: limits.maxAutoRisk');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
      expect(sessions).toHaveLength(0);
      // Tightening is always allowed.
      const { sessionId } = await h.producer.start({
        agent: 'guarded',
        input: 'tight',
        limits: { maxSteps: 3, maxAutoRisk: 'safe', maxCostUsd: 0.5, loop: { threshold: 2, window: 20 } },
      });
      expect(sessionId).toMatch(/^ses_/);
    } finally {
      await h.close();
    }
  });

  test('defence in depth: a session written with looser limits is clamped by the worker, parks its high-risk call and records limits_clamped', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      await writeRaw(h, 'raw-risk', scripted('Wipe it.', [{ tool: 'wipe', input: { table: 'users' } }, { text: 'done' }]), {
        maxAutoRisk: 'high',
        maxCostUsd: 50,
      });
      const parked = await h.producer.wait('raw-risk', { timeoutMs: 20_000, untilParked: true });
      const clamped = (await h.producer.events('raw-risk')).filter((e) => e.type === 'limits_clamped');
      const fields = (clamped[0]?.data.fields as Array<{ field: string }> | undefined)?.map((f) => f.field);
      console.log(
        `[limits] status=${parked.status} wipes=${runs.filter((r) => r.startsWith('wipe')).length} clampedEvents=${clamped.length} fields=${fields?.join(',')}`,
      );
      expect(parked.status).toBe('awaiting_approval');
      expect(runs.filter((r) => r.startsWith('wipe'))).toHaveLength(0);
      expect(clamped.length).toBeGreaterThanOrEqual(1);
      expect(fields).toEqual(['maxCostUsd', 'maxAutoRisk']);
    } finally {
      await h.close();
    }
  });

  // Bug: `loop: { threshold: 1000, window: 2000 }` let an A-B-A-B loop run 40 steps undetected.
  test('defence in depth: a loosened loop detector is clamped and an A-B-A-B loop still ends loop_detected', async ({ redisUrl, queueName, prefix }) => {
    const runs: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(runs)] });
    try {
      const input = scripted(
        'Ping both forever.',
        [
          { tool: 'ping', input: { host: 'a' } },
          { tool: 'ping', input: { host: 'b' } },
        ],
        { loop: true },
      );
      await writeRaw(h, 'raw-loop', input, { maxSteps: 40, loop: { threshold: 1000, window: 1000 } });
      const result = await h.producer.wait('raw-loop', { timeoutMs: 30_000 });
      console.log(`[limits] status=${result.status} steps=${result.steps} pings=${runs.length}`);
      expect(result.status).toBe('loop_detected');
      expect(result.steps).toBeLessThan(10);
    } finally {
      await h.close();
    }
  });

  test('every numeric limit has a hard maximum: an approval timeout of MAX_SAFE_INTEGER is invalid_payload', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent([])], workers: 0 });
    try {
      const error = await refusal(h.producer.start({ agent: 'guarded', input: 'x', limits: { approvalTimeoutMs: Number.MAX_SAFE_INTEGER } }));
      expect(error.code).toBe('invalid_payload');
      expect(error.details?.field).toBe('limits.approvalTimeoutMs');
      expect(() => defineAgent({ name: 'lax', system: 's', tools: [], limits: { approvalTimeoutMs: Number.MAX_SAFE_INTEGER } })).toThrow();
      expect(() => defineAgent({ name: 'lax', system: 's', tools: [], limits: { maxSteps: 50 }, maxLimits: { maxSteps: 20 } })).toThrow(
        /limits.maxSteps 50 is past maxLimits 20/,
      );
      // An agent that says so explicitly lets its sessions go further.
      const open = defineAgent({ name: 'open', system: 's', tools: [], maxLimits: { maxAutoRisk: 'high', maxSteps: 100 } });
      expect(open.ceiling).toMatchObject({ maxAutoRisk: 'high', maxSteps: 100 });
    } finally {
      await h.close();
    }
  });
});
