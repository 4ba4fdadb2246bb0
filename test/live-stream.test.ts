import { type Dashboard, type LiveEvent, startDashboard } from '@agentq/producer';
import { type AgentEvent, defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { type Harness, scripted, startHarness } from './support/harness.js';
import { readSse, type SseMessage } from './support/sse-client.js';

const TOKEN = 'live-dashboard-token-0123456789';

/** A tool that returns only when the test opens its gate, so a test can hold a session mid-run. */
function gatedAgent(options: { stream?: boolean; name?: string } = {}) {
  const gates: Array<() => void> = [];
  const waiting: Array<(release: () => void) => void> = [];
  const gate = defineTool({
    name: 'wait_gate',
    description: 'Waits for the test',
    input: z.object({ n: z.number() }),
    risk: 'safe',
    run: () =>
      new Promise<string>((resolve) => {
        const release = () => resolve('opened');
        const taker = waiting.shift();
        if (taker) taker(release);
        else gates.push(release);
      }),
  });
  const agent = defineAgent({ name: options.name ?? 'gated', system: 'You wait for gates.', tools: [gate], ...(options.stream ? { stream: true } : {}) });
  /** Resolves once the next gated call is running; call the result to let it finish. */
  const nextGate = () => new Promise<() => void>((resolve) => (gates.length > 0 ? resolve(gates.shift() as () => void) : waiting.push(resolve)));
  return { agent, nextGate };
}

const threeGates = (final: string) =>
  scripted('Open three gates.', [
    { tool: 'wait_gate', input: { n: 1 } },
    { tool: 'wait_gate', input: { n: 2 } },
    { tool: 'wait_gate', input: { n: 3 } },
    { text: final },
  ]);

function ids(events: Array<{ id?: string | undefined }>): string[] {
  return events.map((e) => e.id as string);
}

describe('live sessions: subscribe and stream', () => {
  test('SSE: subscribed mid-session, disconnected, resumed with Last-Event-ID: every event exactly once, in order; a token of another session is refused', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const { agent, nextGate } = gatedAgent();
    const h: Harness = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    let d: Dashboard | undefined;
    try {
      d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
      const { sessionId } = await h.producer.start({ agent: 'gated', input: threeGates('All gates open.') });
      const other = await h.producer.start({ agent: 'gated', input: scripted('Say hi.', [{ text: 'hi' }]) });
      const url = `${d.url}/api/sessions/${sessionId}/stream`;

      // access: none → 401, unknown token → 401, a token of the other session → 403, the dashboard token → 200
      const { token } = await h.producer.streamToken(sessionId);
      const otherToken = (await h.producer.streamToken(other.sessionId)).token;
      const refused = [
        (await readSse(url)).status,
        (await readSse(`${url}?token=aqst_not-a-real-token`)).status,
        (await readSse(`${url}?token=${otherToken}`)).status,
        (await readSse(url, { headers: { Authorization: `Bearer ${otherToken}` } })).status,
      ];
      console.log(`stream statuses without / unknown / other session's token (query, header): ${refused.join(' ')}`);
      expect(refused).toEqual([401, 401, 403, 403]);
      const shortLived = (await h.producer.streamToken(sessionId, { ttlMs: 1 })).token;
      // A poll that comes within the token's millisecond opens the stream of a session held at its gate: read one
      // message and go, or the read waits for the session's end (which waits for this test) and the test hangs.
      await expect.poll(async () => (await readSse(`${url}?token=${shortLived}`, { onMessage: () => false })).status, { timeout: 5000 }).toBe(401);
      await expect(h.producer.streamToken('ses_missing')).rejects.toThrow(/no session/);

      // 1. the session is mid-run (its first gated call is running); subscribe and read until the model_call that asked for it
      const gate1 = await nextGate();
      // a safe tool's tool_call is written with its result's checkpoint, after the gate opens: the step's model_call is on record before
      const first = await readSse(`${url}?token=${token}`, { onMessage: (m) => m.event !== 'model_call' });
      expect(first.status).toBe(200);
      const lastId = first.messages.at(-1)?.id as string;
      // 2. disconnected: the session moves on without us
      gate1();
      (await nextGate())();
      // 3. resume with Last-Event-ID (the dashboard's own credentials this time) and read to the end
      const second = await readSse(url, {
        headers: { Authorization: `Bearer ${TOKEN}`, 'Last-Event-ID': lastId },
        onMessage: (m) => {
          // gate 3's tool_call is written only once it opens: open it on the model_call that asks for it (step 2)
          if (m.event === 'model_call' && JSON.parse(m.data).step === 2) void nextGate().then((release) => release());
        },
      });
      const seen = [...first.messages, ...second.messages].filter((m) => m.event !== 'end');
      const stored = await h.producer.events(sessionId);
      const end = second.messages.at(-1) as SseMessage;
      const duplicates = seen.length - new Set(ids(seen)).size;
      console.log(
        `events: stored ${stored.length}, seen ${seen.length} (first connection ${first.messages.length}), duplicates ${duplicates}, end ${end.data}`,
      );
      expect(ids(seen)).toEqual(ids(stored));
      expect(seen.map((m) => m.event)).toEqual(stored.map((e) => e.type));
      expect(duplicates).toBe(0);
      expect(first.messages.length).toBeGreaterThan(0);
      expect(first.messages.length).toBeLessThan(stored.length);
      expect(end.event).toBe('end');
      expect(JSON.parse(end.data)).toEqual({ sessionId, status: 'completed' });
      // resuming after the last event of an ended session answers at once with nothing but the end
      const after = await readSse(url, { headers: { Authorization: `Bearer ${TOKEN}`, 'Last-Event-ID': stored.at(-1)?.id as string } });
      expect(after.messages.map((m) => m.event)).toEqual(['end']);
    } finally {
      await d?.close();
      await h.close();
    }
  });

  test('producer.subscribe: broken off mid-session and resumed from the last id yields every event once, in order, and ends with the session', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const { agent, nextGate } = gatedAgent();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'gated', input: threeGates('Done.') });
      const gate1 = await nextGate();
      const seen: AgentEvent[] = [];
      // a safe tool's tool_call is written with its result's checkpoint, after its gate opens: wait for the model_call that asked for it
      for await (const event of h.producer.subscribe(sessionId)) {
        seen.push(event as AgentEvent);
        if (event.type === 'model_call') break;
      }
      gate1();
      const resumed = h.producer.subscribe(sessionId, { from: seen.at(-1)?.id as string });
      for await (const event of resumed) {
        seen.push(event as AgentEvent);
        if (event.type === 'model_call' && event.data.stopReason === 'tool_use') void nextGate().then((release) => release());
      }
      const stored = await h.producer.events(sessionId);
      console.log(`subscribe: stored ${stored.length}, seen ${seen.length}, last ${seen.at(-1)?.type}`);
      expect(ids(seen)).toEqual(ids(stored));
      expect(seen.at(-1)?.type).toBe('session_completed');
      await expect(h.producer.subscribe('ses_missing').next()).rejects.toThrow(/no session/);
      await expect(h.producer.subscribe(sessionId, { from: 'garbage' }).next()).rejects.toThrow(/not an event id/);
    } finally {
      await h.close();
    }
  });

  test('token streaming: an agent with stream: true publishes its text as deltas; the durable events are the same as without it', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const { agent, nextGate } = gatedAgent({ stream: true });
    const plain = gatedAgent({ name: 'gated_plain' });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent, plain.agent] });
    try {
      const answer = 'The three gates are open now, and this answer arrives in several text deltas.';
      const input = scripted('Open one gate.', [{ tool: 'wait_gate', input: { n: 1 } }, { text: answer }]);
      const { sessionId } = await h.producer.start({ agent: 'gated', input });
      const release = await nextGate();
      const live: LiveEvent[] = [];
      const reading = (async () => {
        for await (const item of h.producer.subscribe(sessionId, { deltas: true })) live.push(item);
      })();
      release();
      await reading;
      const deltas = live.filter((e) => e.type === 'text_delta');
      const events = live.filter((e) => e.type !== 'text_delta');
      const result = await h.producer.wait(sessionId, { timeoutMs: 10_000 });
      console.log(`deltas ${deltas.length}, events ${events.length}, output ${result.output?.length} chars`);
      expect(result.output).toBe(answer);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.map((d) => d.text).join('')).toBe(answer);
      expect(new Set(deltas.map((d) => d.step))).toEqual(new Set([1]));
      // the final step's deltas come before the event that records its model call
      const lastDelta = live.lastIndexOf(deltas.at(-1) as LiveEvent);
      const finalCall = live.findIndex((e) => e.type === 'model_call' && e.step === 1);
      expect(lastDelta).toBeLessThan(finalCall);
      expect(ids(events)).toEqual(ids(await h.producer.events(sessionId)));

      // the same script without streaming leaves the same sequence of event types
      const plainRun = await h.producer.start({ agent: 'gated_plain', input });
      (await plain.nextGate())();
      // wait() returns at the terminal status, a moment before the session's last event: read to the end instead
      const plainEvents: LiveEvent[] = [];
      for await (const event of h.producer.subscribe(plainRun.sessionId, { deltas: true })) plainEvents.push(event);
      const types = (list: Array<{ type: string }>) => list.map((e) => e.type);
      expect(types(plainEvents)).toEqual(types(events));
    } finally {
      await h.close();
    }
  });
});
