import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defineAgent, defineTool } from '@agentq/shared';
import type { Timeline } from '@agentq/producer';
import { z } from 'zod';
import { eventsUntil } from './support/events.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../packages/producer/dist/bin/agentq.js', import.meta.url));

function agents(calls: string[]) {
  const note = defineTool({
    name: 'note',
    description: 'Write a note',
    input: z.object({ text: z.string() }),
    risk: 'safe',
    run: ({ text }) => {
      calls.push(text);
      return `noted:${text}`;
    },
  });
  return [defineAgent({ name: 'writer', system: 'Writer.', tools: [note] }), defineAgent({ name: 'editor', system: 'Editor.', tools: [note] })];
}

const SCRIPT = [
  { tool: 'note', input: { text: 'a' } },
  { tool: 'note', input: { text: 'b' } },
  { tool: 'note', input: { text: 'c' } },
  { tool: 'note', input: { text: 'd' } },
  { text: 'Four notes written.' },
];

describe('replay and fork', () => {
  test('the timeline shows each step: model call, tool input/result/duration, the final state; the CLI prints it as table and JSON', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: agents(calls) });
    try {
      const { sessionId } = await h.producer.start({ agent: 'writer', input: scripted('Write four notes.', SCRIPT) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      await eventsUntil(h, sessionId, 'session_completed');
      const timeline = await h.producer.timeline(sessionId);
      expect(timeline.steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
      expect(timeline.steps.map((s) => s.tools.map((t) => [t.tool, t.input, t.result, t.isError]))).toEqual([
        [['note', { text: 'a' }, 'noted:a', false]],
        [['note', { text: 'b' }, 'noted:b', false]],
        [['note', { text: 'c' }, 'noted:c', false]],
        [['note', { text: 'd' }, 'noted:d', false]],
        [],
      ]);
      for (const step of timeline.steps) {
        expect(step.model?.model).toEqual(expect.any(String));
        expect(step.attempts).toBe(1);
        for (const tool of step.tools) expect(tool.durationMs).toEqual(expect.any(Number));
      }
      expect(timeline.steps[4]?.model?.stopReason).toBe('end_turn');
      expect(timeline.steps[4]?.decisions.map((d) => d.type)).toEqual(['session_completed']);
      expect(timeline.final).toMatchObject({ status: 'completed', steps: 5, output: 'Four notes written.' });

      const env = { ...process.env, REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
      const json = JSON.parse((await run(process.execPath, [CLI, 'replay', sessionId, '--json'], { env })).stdout) as Timeline;
      expect(json.steps.length).toBe(5);
      expect(json.final.output).toBe('Four notes written.');
      const table = (await run(process.execPath, [CLI, 'replay', sessionId], { env })).stdout;
      console.log(table);
      expect(table).toContain('tool note');
      expect(table).toContain('{"text":"c"} -> noted:c');
      expect(table).toMatch(/final\s+completed after 5 steps/);
    } finally {
      await h.close();
    }
  });

  test('a fork from step k with another agent keeps the history before k and runs to completion', async ({ redisUrl, queueName, prefix }) => {
    const calls: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: agents(calls) });
    try {
      const { sessionId } = await h.producer.start({ agent: 'writer', input: scripted('Write four notes.', SCRIPT), metadata: { origin: 'test' } });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      const k = 2;
      const env = { ...process.env, REDIS_URL: redisUrl, AGENTQ_QUEUE: queueName, AGENTQ_PREFIX: prefix };
      const out = JSON.parse(
        (await run(process.execPath, [CLI, 'replay', sessionId, '--from-step', String(k), '--agent', 'editor', '--json'], { env })).stdout,
      ) as { sessionId: string };
      const forkId = out.sessionId;
      expect(forkId).not.toBe(sessionId);
      const forked = await h.producer.wait(forkId, { timeoutMs: 20_000 });
      expect(forked).toMatchObject({ status: 'completed', output: 'Four notes written.', steps: 5 });
      const record = await h.producer.get(forkId);
      expect(record).toMatchObject({ agent: 'editor', forkedFrom: { sessionId, step: k }, metadata: { origin: 'test' } });

      const source = await h.producer.history(sessionId);
      const copy = await h.producer.history(forkId);
      const before = (entries: typeof source) => entries.filter((e, i) => i === 0 || e.step < k);
      // same history up to k, byte for byte; from k on the fork has its own steps (same script, so same shape)
      expect(before(copy)).toEqual(before(source));
      expect(copy.length).toBe(source.length);
      // steps 0..1 ran once in the source; steps 2..3 ran again in the fork
      expect(calls).toEqual(['a', 'b', 'c', 'd', 'c', 'd']);

      const events = await eventsUntil(h, forkId, 'session_completed');
      expect(events.filter((e) => e.type === 'step_started').map((e) => e.step)).toEqual([2, 3, 4]);
      expect(events.every((e) => e.agent === 'editor')).toBe(true);
      const timeline = await h.producer.timeline(forkId);
      expect(timeline.forkedFrom).toEqual({ sessionId, step: k });

      await expect(h.producer.fork(sessionId, { fromStep: 5 })).rejects.toThrow(/from 0 to 4/);
      const zero = await h.producer.fork(sessionId, { fromStep: 0 });
      expect((await h.producer.history(zero.sessionId)).length).toBe(1);
      expect((await h.producer.wait(zero.sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
    } finally {
      await h.close();
    }
  });
});
