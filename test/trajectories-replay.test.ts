/**
 * Replays the recorded agent runs in /work/shared/data/trajectories (tau-bench v1 and tau2-bench, 310 runs)
 * through the mock model and real workers: each assistant message with tool calls is one scripted turn
 * (parallel calls as one array), and each tool returns the output recorded for that call. A plain
 * reimplementation of the loop rules over the recorded call list says which runs must be flagged, where and
 * how; the test checks that the detector flags exactly those, the same way, and never the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineAgent, defineTool, LoopLimits, type Tool } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

// CI runs in a fresh clone with shared/ beside it: <clone>/../shared.
const DATA_DIR = fileURLToPath(new URL('../../shared/data/trajectories/', import.meta.url));
const FILES = [
  'tau-bench/gpt-4o-airline.json',
  'tau2-bench/qwen2.5-7b_airline_default_gpt-4.1-2025-04-14_1trials.json',
  'tau2-bench/gpt-4.1_airline_default_gpt-4.1_1trials.json',
  'tau2-bench/gpt-4.1_retail_default_gpt-4.1_1trials.json',
];
const present = FILES.every((f) => existsSync(DATA_DIR + f));
if (!present) console.warn(`trajectories-replay: skipped, the recorded runs are not at ${DATA_DIR} (expected <repo>/../shared/data/trajectories)`);

/** The runs replay under the default loop limits (one reflection, then `loop_detected`), as the README states them. */
const LOOP = LoopLimits.parse({});
/**
 * All 310 runs replay by default (about 10 s on an idle 2-core machine). On a busy machine
 * AGENTQ_REPLAY_SUBSET=1 replays a deterministic subset: every run the rules below flag, every loop case the
 * data README lists, and every third of the other runs (by index in its file).
 */
const REPLAY_ALL = process.env.AGENTQ_REPLAY_SUBSET !== '1';
const README_LOOPS = new Set(['trj_0_13', 'trj_0_58', 'trj_0_109', 'trj_0_111', ...[20, 22, 23, 29, 31, 40, 43, 46, 47, 48].map((i) => `trj_1_${i}`)]);

interface RecordedCall {
  name: string;
  args: Record<string, unknown>;
  output: string;
  isError: boolean;
}

interface Trajectory {
  id: string;
  /** Position in its file's array. */
  index: number;
  turns: RecordedCall[][];
}

// ---- loading ---------------------------------------------------------------------------------------------

type V1Message = { role: string; content: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> };
type Tau2Message = {
  role: string;
  id?: string;
  content: string | null;
  error?: boolean;
  tool_calls?: Array<{ id: string; name: string; arguments: Record<string, unknown> }> | null;
};

function loadTrajectories(): Trajectory[] {
  const out: Trajectory[] = [];
  FILES.forEach((file, fileIndex) => {
    const data = JSON.parse(readFileSync(DATA_DIR + file, 'utf8')) as unknown;
    if (file.startsWith('tau-bench/')) {
      (data as Array<{ traj: V1Message[] }>).forEach((run, index) => {
        const turns: RecordedCall[][] = [];
        run.traj.forEach((m, i) => {
          if (m.role !== 'assistant' || !m.tool_calls?.length) return;
          // Ids repeat within a run: pair each call with the tool message right after it.
          turns.push(
            m.tool_calls.map((call, j) => {
              const result = run.traj[i + 1 + j];
              const output = result?.role === 'tool' ? (result.content ?? '') : '';
              return {
                name: call.function.name,
                args: JSON.parse(call.function.arguments) as Record<string, unknown>,
                output,
                isError: output.startsWith('Error'),
              };
            }),
          );
        });
        out.push({ id: `trj_${fileIndex}_${index}`, index, turns });
      });
    } else {
      (data as { simulations: Array<{ messages: Tau2Message[] }> }).simulations.forEach((run, index) => {
        const turns: RecordedCall[][] = [];
        run.messages.forEach((m, i) => {
          if (m.role !== 'assistant' || !m.tool_calls?.length) return;
          const results = new Map<string, Tau2Message>();
          for (let k = i + 1; k < run.messages.length && run.messages[k]?.role === 'tool'; k++) {
            const r = run.messages[k] as Tau2Message;
            results.set(r.id ?? '', r);
          }
          turns.push(
            m.tool_calls.map((call) => {
              const r = results.get(call.id);
              return { name: call.name, args: call.arguments, output: r?.content ?? '', isError: r?.error === true };
            }),
          );
        });
        out.push({ id: `trj_${fileIndex}_${index}`, index, turns });
      });
    }
  });
  return out;
}

/** Sorted-key JSON, written apart from the product's canonicalJson so the expectation is independent of it. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
const keyOf = (name: string, args: unknown) => `${name} ${sortedJson(args)}`;

// ---- the rules, reimplemented plainly --------------------------------------------------------------------

interface Detection {
  step: number;
  kind: 'repeat' | 'ping_pong' | 'error_repeat';
  tool: string;
  stop: boolean;
}

/** What the detector must do with a run: every detection (step, kind, tool) and whether the session ends. */
function expectedDetections(t: Trajectory): { detections: Detection[]; status: 'completed' | 'loop_detected' } {
  const { window, threshold, strikes: maxStrikes } = LOOP;
  const ppLen = 2 * Math.max(2, threshold - 1);
  const calls: string[] = [];
  const streaks = new Map<string, { content: string; length: number }>();
  const used = new Map<string, number>();
  const detections: Detection[] = [];
  let strikes = 0;
  for (const [step, turn] of t.turns.entries()) {
    const ran: RecordedCall[] = [];
    for (const call of turn) {
      const key = keyOf(call.name, call.args);
      calls.push(key);
      const recent = calls.slice(-window);
      const n = calls.length;
      let kind: Detection['kind'] | undefined;
      if (recent.filter((k) => k === key).length >= threshold) kind = 'repeat';
      else if (n >= ppLen && calls[n - 1] !== calls[n - 2] && calls.slice(n - ppLen).every((k, i, run) => i < 2 || k === run[i - 2])) kind = 'ping_pong';
      else if ((streaks.get(call.name)?.length ?? 0) >= threshold) {
        kind = 'error_repeat';
        streaks.delete(call.name);
      }
      if (!kind) {
        ran.push(call);
        continue;
      }
      strikes += 1;
      detections.push({ step, kind, tool: call.name, stop: strikes > maxStrikes });
      if (strikes > maxStrikes) return { detections, status: 'loop_detected' };
    }
    for (const call of ran) {
      const output = recordedOutput(t, call, used);
      if (!output.isError) streaks.delete(call.name);
      else {
        const s = streaks.get(call.name);
        streaks.set(call.name, { content: output.output, length: s && s.content === output.output ? s.length + 1 : 1 });
      }
    }
  }
  return { detections, status: 'completed' };
}

/** The k-th run of a call gets the output recorded for the k-th occurrence of that call (the last one after). */
function recordedOutput(t: Trajectory, call: { name: string; args: unknown }, used: Map<string, number>): RecordedCall {
  const key = keyOf(call.name, call.args);
  const occurrences = t.turns.flat().filter((c) => keyOf(c.name, c.args) === key);
  const k = used.get(key) ?? 0;
  used.set(key, k + 1);
  return occurrences[Math.min(k, occurrences.length - 1)] as RecordedCall;
}

// ---- the replay ------------------------------------------------------------------------------------------

describe.skipIf(!present)('replay of the recorded agent runs', () => {
  test('the loop detector flags exactly the runs that repeat under its rules, where and how they do', async ({ redisUrl, queueName, prefix }) => {
    const all = loadTrajectories();
    expect(all).toHaveLength(310);
    const trajectories = all.filter((t) => REPLAY_ALL || README_LOOPS.has(t.id) || expectedDetections(t).detections.length > 0 || t.index % 3 === 0);
    const byId = new Map(trajectories.map((t) => [t.id, { t, used: new Map<string, number>() }]));
    const toolNames = [...new Set(trajectories.flatMap((t) => t.turns.flat().map((c) => c.name)))].sort();
    const tools: Tool[] = toolNames.map((name) =>
      defineTool({
        name,
        description: `Replays the recorded output of ${name}`,
        input: z.looseObject({}),
        risk: 'safe',
        retries: 0,
        breaker: false,
        run: (input, ctx) => {
          const replay = byId.get(ctx.sessionId);
          if (!replay) throw new Error(`no trajectory for ${ctx.sessionId}`);
          const recorded = recordedOutput(replay.t, { name, args: input }, replay.used);
          if (recorded.isError) throw new Error(recorded.output);
          return recorded.output || '(empty result)';
        },
      }),
    );
    const agent = defineAgent({ name: 'replayer', system: 'You are a customer-service agent (recorded run replay).', tools, maxLimits: { maxSteps: 500 } });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], workers: 4, worker: { concurrency: 25 }, mock: { chunkDelayMs: 0 } });
    try {
      const started = performance.now();
      await h.producer.startBatch(
        trajectories.map((t) => ({
          sessionId: t.id,
          agent: 'replayer',
          input: scripted(`Replay ${t.id}.`, [...t.turns.map((turn) => turn.map((c) => ({ tool: c.name, input: c.args }))), { text: 'replay done' }]),
          limits: { maxSteps: 500 },
        })),
      );
      const results = await h.producer.waitAll(
        trajectories.map((t) => t.id),
        { timeoutMs: 180_000 },
      );
      const seconds = (performance.now() - started) / 1000;
      const events = await h.producer.stores.events.since(0, { types: ['loop_warning', 'loop_detected'] });

      let mismatches = 0;
      let flaggedExpected = 0;
      let flaggedActual = 0;
      const kinds: Record<string, number> = {};
      for (const [i, t] of trajectories.entries()) {
        const want = expectedDetections(t);
        const got = events
          .filter((e) => e.sessionId === t.id)
          .map((e) => ({ step: e.step, kind: e.data.kind as Detection['kind'], tool: e.data.tool as string, stop: e.type === 'loop_detected' }));
        const status = results[i]?.status;
        if (want.detections.length > 0) flaggedExpected += 1;
        if (got.length > 0) flaggedActual += 1;
        for (const d of want.detections) kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
        const same = JSON.stringify(got) === JSON.stringify(want.detections) && status === want.status;
        if (!same) {
          mismatches += 1;
          console.log(`${t.id}: expected ${want.status} ${JSON.stringify(want.detections)}, got ${status} ${JSON.stringify(got)}`);
        }
      }
      const unfinished = results.filter((r) => r.status !== 'completed' && r.status !== 'loop_detected').length;
      console.log(
        `replayed ${trajectories.length} of ${all.length} runs (${trajectories.reduce((n, t) => n + t.turns.length, 0)} turns) in ${seconds.toFixed(1)}s: flagged ${flaggedActual} (expected ${flaggedExpected}), detections by kind ${JSON.stringify(kinds)}, ended loop_detected ${results.filter((r) => r.status === 'loop_detected').length}, other endings ${unfinished}, mismatches ${mismatches}`,
      );
      expect(unfinished).toBe(0);
      expect(mismatches).toBe(0);
      expect(flaggedActual).toBe(flaggedExpected);
      // The README's notable real loops are among the flagged runs.
      const flagged = new Set(events.map((e) => e.sessionId));
      for (const id of ['trj_1_43', 'trj_0_109', 'trj_1_48']) expect(flagged.has(id)).toBe(true);
      // qwen2.5-7b airline #46 (4 identical search_onestop_flight calls within 9) ended `completed` under two strikes.
      const looping = trajectories.findIndex((t) => t.id === 'trj_1_46');
      expect(results[looping]?.status).toBe('loop_detected');
    } finally {
      await h.close();
    }
  }, 240_000);
});
