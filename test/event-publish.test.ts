import { type AgentEvent, createStores, defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

describe('copying checkpoint events to the global stream', () => {
  // A step copies the events of all its checkpoints in one script (one per checkpoint before), each outbox
  // still at most once: a retry that copies the same outboxes again appends nothing twice.
  test('outboxes are copied together, each at most once, and observers see each event once', async ({ redis, prefix }) => {
    const { events } = createStores(redis, prefix);
    const seen: AgentEvent[] = [];
    events.onEvent((event) => seen.push(event));
    const outbox = (id: string, reason: string) => ({
      id,
      encoded: [events.encode({ sessionId: 's1', step: 0, type: 'step_stale', data: { reason } })],
    });
    expect(await events.publish([outbox('s1|0|outbox:a', 'a')])).toBe(true);
    // One outbox copied before, one new: only the new one's events are appended.
    expect(await events.publish([outbox('s1|0|outbox:a', 'a'), outbox('s1|0|outbox:b', 'b'), { id: 's1|0|outbox:empty', encoded: [] }])).toBe(true);
    expect(await events.publish([outbox('s1|0|outbox:b', 'b')])).toBe(true);
    const global = (await events.since(0)).filter((e) => e.sessionId === 's1');
    expect(global.map((e) => e.type === 'step_stale' && e.data.reason)).toEqual(['a', 'b']);
    expect(seen.map((e) => e.type === 'step_stale' && e.data.reason)).toEqual(['a', 'b']);
  });

  // The copy of a model call's events waits for the step's next checkpoint: a tool that runs for seconds
  // still lets them reach the global stream at once (after a hold of a few ms), not when the tool ends.
  test("a slow tool does not hold back the model call's events on the global stream", async ({ redisUrl, queueName, prefix }) => {
    let release: () => void = () => undefined;
    const slow = defineTool({
      name: 'slow',
      description: 'Waits',
      input: z.object({}),
      risk: 'safe',
      run: () => new Promise<string>((resolve) => (release = () => resolve('ok'))),
    });
    const agent = defineAgent({ name: 'slowpoke', system: 'Waits.', tools: [slow] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({ agent: 'slowpoke', input: scripted('Wait.', [{ tool: 'slow', input: {} }, { text: 'done' }]) });
      const deadline = Date.now() + 10_000;
      let modelCalls = 0;
      while (modelCalls === 0 && Date.now() < deadline) {
        modelCalls = (await h.producer.stores.events.since(0)).filter((e) => e.sessionId === sessionId && e.type === 'model_call').length;
        if (modelCalls === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The tool has not returned yet.
      expect(modelCalls).toBe(1);
      const types = (await h.producer.stores.events.since(0)).filter((e) => e.sessionId === sessionId).map((e) => e.type);
      expect(types).not.toContain('tool_result');
      release();
      expect((await h.producer.wait(sessionId, { timeoutMs: 10_000 })).status).toBe('completed');
    } finally {
      release();
      await h.close();
    }
  });
});
