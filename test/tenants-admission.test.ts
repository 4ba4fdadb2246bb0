import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgent, defineTool, type RegisteredAgent } from '@agentq/shared';
import { AgentProducer, DEFAULT_INPUT_CAPS } from '@agentq/producer';
import { z } from 'zod';
import { cli } from './support/cli.js';
import { describe, expect, test } from './support/fixtures.js';
import { refusal } from './support/refusal.js';
import { type Harness, scripted, startHarness } from './support/harness.js';

const note = defineTool({ name: 'note', description: 'Write a note', input: z.object({ text: z.string() }), risk: 'safe', run: ({ text }) => `noted ${text}` });
const erase = defineTool({
  name: 'erase',
  description: 'Erase a note',
  input: z.object({ id: z.string() }),
  risk: 'high',
  idempotent: false,
  run: ({ id }) => `erased ${id}`,
});
const agent = defineAgent({ name: 'notes', system: 'You keep notes.', tools: [note, erase] });

async function queued(h: Harness): Promise<{ jobs: number; sessions: number }> {
  const counts = await h.producer.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'completed');
  return { jobs: Object.values(counts).reduce((a, b) => a + b, 0), sessions: (await h.producer.stores.sessions.listIds()).length };
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

function jsonl(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'agentq-tenants-')), 'sessions.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('the agent registry', () => {
  test('an unknown agent is refused with unknown_agent before anything is queued; allowUnregistered lets it in', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    const early = new AgentProducer({ connection: redisUrl, queueName, prefix, allowUnregistered: true });
    try {
      const error = await refusal(
        h.producer.startBatch([
          { agent: 'notes', input: 'fine' },
          { agent: 'nobody', input: 'who?' },
        ]),
      );
      const afterRefusal = await queued(h);
      const accepted = await early.start({ agent: 'nobody', input: 'accepted for later' });
      console.log(`[registry] code=${error.code} field=${String(error.details?.field)} queuedAfterRefusal=${JSON.stringify(afterRefusal)}`);
      expect(error.code).toBe('unknown_agent');
      expect(error.message).toContain('session 1: agent:');
      expect(afterRefusal).toEqual({ jobs: 0, sessions: 0 });
      expect(accepted.sessionId).toMatch(/^ses_/);
    } finally {
      await early.close();
      await h.close();
    }
  });

  test('workers publish name, hash, limits and tools; agentq agents --json lists them and which workers serve them', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 2 });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const listed = JSON.parse((await cli(env, ['agents', '--json'])).stdout) as RegisteredAgent[];
      const def = listed[0]?.definitions[0];
      console.log(
        `[registry] agents=${listed.length} definitions=${listed[0]?.definitions.length} workers=${def?.workers.length} live=${def?.workers.filter((w) => w.live).length}`,
      );
      expect(listed.map((a) => a.name)).toEqual(['notes']);
      expect(listed[0]?.definitions).toHaveLength(1);
      expect(def?.hash).toMatch(/^[0-9a-f]{16}$/);
      expect(def?.tools).toEqual([
        { name: 'note', risk: 'safe', idempotent: true },
        { name: 'erase', risk: 'high', idempotent: false },
      ]);
      expect(def?.ceiling).toMatchObject({ maxAutoRisk: 'low', maxSteps: 25 });
      expect(def?.workers.map((w) => w.id).sort()).toEqual(h.workers.map((w) => w.id).sort());
      await h.workers[0]?.close();
      const after = await h.producer.registry.list();
      expect(after[0]?.definitions[0]?.workers.map((w) => w.id)).toEqual([h.workers[1]?.id]);
    } finally {
      await h.close();
    }
  });
});

describe('input caps: one byte over any cap is invalid_payload with the field, and nothing of the batch is queued', () => {
  test('input bytes, metadata bytes and depth, limits bytes, sessions per batch', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 0 });
    try {
      const caps = DEFAULT_INPUT_CAPS;
      const ok = { agent: 'notes', input: 'fine' };
      // metadata {"k":"…"} is 8 bytes of JSON around the string.
      const metaAt = (bytes: number) => ({ k: 'x'.repeat(bytes - 8) });
      // limits {"memory":{"summaryModel":"…"}} is 30 bytes around the string.
      const limitsAt = (bytes: number) => ({ memory: { summaryModel: 'x'.repeat(bytes - 30) } });
      const over = [
        { field: 'input', line: { agent: 'notes', input: 'é'.repeat(caps.maxInputBytes / 2) + 'x' } },
        { field: 'metadata', line: { ...ok, metadata: metaAt(caps.maxMetadataBytes + 1) } },
        { field: 'metadata', line: { ...ok, metadata: nested(caps.maxMetadataDepth + 1) } },
        // Bug: 5,000-deep metadata failed with a bare "Maximum call stack size exceeded" and no line.
        { field: 'metadata', line: { ...ok, metadata: nested(5000) } },
        { field: 'limits', line: { ...ok, limits: limitsAt(caps.maxLimitsBytes + 1) } },
      ];
      const fields: string[] = [];
      for (const { field, line } of over) {
        const error = await refusal(h.producer.startBatch([ok, line]));
        expect(error.code).toBe('invalid_payload');
        expect(error.message).toContain(`session 1: ${field}:`);
        fields.push(String(error.details?.field));
      }
      const batch = await refusal(h.producer.startBatch(Array.from({ length: caps.maxSessionsPerBatch + 1 }, () => ok)));
      const nothing = await queued(h);
      console.log(`[caps] refused fields=${fields.join(',')} batch=${String(batch.details?.field)} queued=${JSON.stringify(nothing)}`);
      expect(fields).toEqual(over.map((o) => o.field));
      expect(batch.details?.field).toBe('batch');
      expect(nothing).toEqual({ jobs: 0, sessions: 0 });

      // Exactly at each cap is accepted (the limits line names a summary model the agent does not use, so it
      // is refused by the ceiling instead; its size passed).
      const atCaps = await h.producer.startBatch([
        { agent: 'notes', input: 'é'.repeat(caps.maxInputBytes / 2) },
        { ...ok, metadata: metaAt(caps.maxMetadataBytes) },
        { ...ok, metadata: nested(caps.maxMetadataDepth) },
      ]);
      expect(atCaps).toHaveLength(3);
      const limitsAtCap = await refusal(h.producer.start({ ...ok, limits: limitsAt(caps.maxLimitsBytes) }));
      expect(limitsAtCap.code).toBe('limits_exceed_agent');
    } finally {
      await h.close();
    }
  });

  // Bug: a session id used twice in one file was silently dropped.
  test('a session id repeated in a batch or already taken is an error for that line; --skip-existing skips taken ids', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 0 });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const line = (id: string) => JSON.stringify({ agent: 'notes', input: scripted(id, [{ text: 'ok' }]), sessionId: id });
      const twice = jsonl([line('dup-a'), line('dup-b'), line('dup-a')]);
      const repeated = (await cli(env, ['enqueue', twice, '--json']).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(repeated.code).toBe(1);
      expect(repeated.stderr).toContain(`${twice}:3: sessionId: "dup-a" is used twice in this batch (first by ${twice}:1)`);
      expect(await queued(h)).toEqual({ jobs: 0, sessions: 0 });

      await h.producer.start({ agent: 'notes', input: 'taken', sessionId: 'taken-1' });
      const again = jsonl([line('fresh-1'), line('taken-1')]);
      const taken = (await cli(env, ['enqueue', again, '--json']).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`session_exists: nothing queued: ${again}:2: sessionId:`);
      expect((await queued(h)).sessions).toBe(1);

      const skipped = JSON.parse((await cli(env, ['enqueue', again, '--json', '--skip-existing'])).stdout) as string[];
      const after = await queued(h);
      console.log(`[caps] duplicate refused, taken refused, skip-existing ids=${skipped.join(',')} queued=${JSON.stringify(after)}`);
      expect(skipped).toEqual(['fresh-1', 'taken-1']);
      expect(after).toEqual({ jobs: 2, sessions: 2 });
      // producer.start keeps its documented idempotency on a caller-chosen id.
      expect(await h.producer.start({ agent: 'notes', input: 'taken', sessionId: 'taken-1' })).toEqual({ sessionId: 'taken-1' });
    } finally {
      await h.close();
    }
  });
});

describe('tenant settings where operators work', () => {
  test('agentq tenants set / list, producer.tenants and the worker option all write the same settings', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], worker: { tenants: { fromenv: { weight: 2, share: 0.25 } } } });
    const env = { REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
    try {
      const set = JSON.parse(
        (await cli(env, ['tenants', 'set', 'acme', '--weight', '3', '--max-concurrency', '5', '--share', '0.5', '--json'])).stdout,
      ) as Record<string, unknown>;
      expect(set).toEqual({ tenant: 'acme', weight: 3, maxConcurrency: 5, share: 0.5 });
      await cli(env, ['tenants', 'set', 'acme', '--share', 'none']);
      expect(await h.producer.tenants.settings('acme')).toEqual({ weight: 3, maxConcurrency: 5 });
      await expect(h.producer.tenants.setWeight('acme', 0)).rejects.toThrow(/weight/);
      const listed = JSON.parse((await cli(env, ['tenants', '--json'])).stdout) as Array<Record<string, unknown>>;
      expect(listed).toEqual([
        { tenant: 'acme', weight: 3, maxConcurrency: 5, backlog: 0, running: 0 },
        { tenant: 'fromenv', weight: 2, share: 0.25, backlog: 0, running: 0 },
      ]);
    } finally {
      await h.close();
    }
  });
});
