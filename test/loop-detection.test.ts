import { createStores, defineAgent, defineTool, LOOP_REFLECTIONS, LoopDetector, sha256Hex, toolSignature } from '@agentq/shared';
import { Keys, loopTurnRequest } from '@agentq/shared/internal';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { type Harness, scripted, startHarness } from './support/harness.js';

interface Calls {
  echo: string[];
  lookup: Array<Record<string, unknown>>;
  fail: number[];
}

function makeAgent(calls: Calls) {
  const echo = defineTool({
    name: 'echo',
    description: 'Echo a value back',
    input: z.object({ value: z.string() }),
    risk: 'safe',
    run: ({ value }) => {
      calls.echo.push(value);
      return `echo:${value}`;
    },
  });
  const lookup = defineTool({
    name: 'lookup',
    description: 'Look a record up',
    input: z.object({ id: z.number(), filter: z.object({ kind: z.string(), tags: z.array(z.string()) }).optional() }),
    risk: 'safe',
    run: (input) => {
      calls.lookup.push(input);
      return { found: input.id };
    },
  });
  const fail = defineTool({
    name: 'fail',
    description: 'Always fails the same way',
    input: z.object({ attempt: z.number() }),
    risk: 'safe',
    retries: 0,
    run: ({ attempt }) => {
      calls.fail.push(attempt);
      throw new Error('Number of passengers does not match');
    },
  });
  // Sessions may ask for more loop strikes than the default one (the persisting-loop test does).
  return defineAgent({ name: 'looper', system: 'You are a test agent.', tools: [echo, lookup, fail], maxLimits: { loop: { strikes: 2 } } });
}

function freshCalls(): Calls {
  return { echo: [], lookup: [], fail: [] };
}

async function loopEvents(h: Harness, sessionId: string) {
  const events = await h.producer.events(sessionId);
  return {
    warnings: events.filter((e) => e.type === 'loop_warning'),
    detected: events.filter((e) => e.type === 'loop_detected'),
  };
}

/** The tool_result blocks the model was sent, in request order. */
function toolResultsSent(h: Harness): Array<{ tool_use_id: string; content: string; is_error?: boolean }> {
  const last = h.mock.requests().at(-1);
  const messages = (last?.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  return messages
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<{ type: string }>) : []))
    .filter((b) => b.type === 'tool_result') as unknown as Array<{
    tool_use_id: string;
    content: string;
    is_error?: boolean;
  }>;
}

describe('loop detection', () => {
  test('signatures ignore key order and number spelling, at any depth', () => {
    const a = toolSignature('lookup', { id: 1, filter: { kind: 'x', tags: ['a', 'b'] } });
    const b = toolSignature('lookup', JSON.parse('{"filter":{"tags":["a","b"],"kind":"x"},"id":1.0}'));
    expect(b).toBe(a);
    expect(toolSignature('lookup', { id: 1, filter: { kind: 'x', tags: ['b', 'a'] } })).not.toBe(a);
    expect(toolSignature('other', { id: 1, filter: { kind: 'x', tags: ['a', 'b'] } })).not.toBe(a);
    expect(a).toMatch(/^lookup:[0-9a-f]{64}$/);
  });

  test('a repeat is flagged at exactly the threshold, the tool is not run, and the reflection reaches the model', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const same = { tool: 'echo', input: { value: 'again' } };
      const { sessionId } = await h.producer.start({ agent: 'looper', input: scripted('Repeat yourself.', [same, same, same, { text: 'Giving up.' }]) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const { warnings, detected } = await loopEvents(h, sessionId);
      console.log(`repeat: tool runs ${calls.echo.length}, warnings ${warnings.length}, stops ${detected.length}`);
      expect(result.status).toBe('completed');
      expect(calls.echo).toEqual(['again', 'again']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.step).toBe(2);
      expect(warnings[0]?.data).toMatchObject({ kind: 'repeat', tool: 'echo', count: 3, strike: 1 });
      expect(detected).toHaveLength(0);
      const results = toolResultsSent(h);
      expect(results).toHaveLength(3);
      expect(results[2]?.content).toBe(LOOP_REFLECTIONS.repeat);
      expect(results[2]?.content).toBe(
        "You've called the same tool with the same arguments multiple times. This approach isn't working. Try a different strategy or conclude with what you know.",
      );
      expect(results.slice(0, 2).map((r) => r.content)).toEqual(['echo:again', 'echo:again']);
    } finally {
      await h.close();
    }
  });

  test('one call below the threshold is never flagged', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const same = { tool: 'echo', input: { value: 'twice' } };
      const script = [
        same,
        { tool: 'echo', input: { value: 'other' } },
        same,
        { tool: 'fail', input: { attempt: 1 } },
        { tool: 'fail', input: { attempt: 2 } },
        { text: 'ok' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'looper', input: scripted('Almost loop.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const { warnings, detected } = await loopEvents(h, sessionId);
      expect(result.status).toBe('completed');
      expect(warnings.length + detected.length).toBe(0);
      expect(calls.echo).toEqual(['twice', 'other', 'twice']);
      expect(calls.fail).toEqual([1, 2]);
    } finally {
      await h.close();
    }
  });

  test('argument key order does not change a signature: reordered calls still count as one', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const script = [
        { tool: 'lookup', input: { id: 7, filter: { kind: 'k', tags: ['t'] } } },
        { tool: 'lookup', input: { filter: { tags: ['t'], kind: 'k' }, id: 7 } },
        { tool: 'lookup', input: { filter: { kind: 'k', tags: ['t'] }, id: 7.0 } },
        { text: 'done' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'looper', input: scripted('Reordered keys.', script) });
      await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const { warnings } = await loopEvents(h, sessionId);
      expect(calls.lookup).toHaveLength(2);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.data.signature).toBe(toolSignature('lookup', { id: 7, filter: { kind: 'k', tags: ['t'] } }));
    } finally {
      await h.close();
    }
  });

  test('a loop that persists after the reflections ends the session loop_detected with the repeated call', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const input = scripted('Loop forever.', [{ tool: 'lookup', input: { id: 42 } }], { loop: true });
      const { sessionId } = await h.producer.start({ agent: 'looper', input, limits: { loop: { strikes: 2 } } });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const { warnings, detected } = await loopEvents(h, sessionId);
      console.log(
        `persisting loop: status ${result.status}, tool runs ${calls.lookup.length}, warnings ${warnings.length}, stops ${detected.length}, steps ${result.steps}`,
      );
      expect(result.status).toBe('loop_detected');
      expect(result.error?.code).toBe('loop_detected');
      expect(result.error?.details).toMatchObject({ kind: 'repeat', tool: 'lookup', input: { id: 42 }, signature: toolSignature('lookup', { id: 42 }) });
      // calls 1-2 run, 3 and 4 get reflections (2 strikes), 5 ends the session
      expect(calls.lookup).toHaveLength(2);
      expect(warnings).toHaveLength(2);
      expect(detected).toHaveLength(1);
      expect(detected[0]?.step).toBe(4);
      expect(result.steps).toBe(4);
      // Conversation caching reads or writes the whole prompt, so uncached inputTokens may be 0: count every kind.
      const { inputTokens, cacheReadTokens, cacheWriteTokens } = result.usage;
      expect(inputTokens + cacheReadTokens + cacheWriteTokens).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });

  // The README promised "first a reflection, then loop_detected", but the default strikes were 2 (two reflections).
  test('with the default limits a loop gets one reflection, then the session ends loop_detected', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const input = scripted('Loop forever.', [{ tool: 'lookup', input: { id: 42 } }], { loop: true });
      const { sessionId } = await h.producer.start({ agent: 'looper', input });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const { warnings, detected } = await loopEvents(h, sessionId);
      console.log(`default loop limits: status ${result.status}, tool runs ${calls.lookup.length}, warnings ${warnings.length}, stops ${detected.length}`);
      expect(result.status).toBe('loop_detected');
      // calls 1-2 run, 3 gets the one reflection, 4 ends the session
      expect(calls.lookup).toHaveLength(2);
      expect(warnings).toHaveLength(1);
      expect(detected).toHaveLength(1);
      expect(detected[0]?.step).toBe(3);
    } finally {
      await h.close();
    }
  });

  test('A-B-A-B ping-pong is flagged at its fourth call, not at the third', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const a = { tool: 'echo', input: { value: 'ping' } };
      const b = { tool: 'lookup', input: { id: 1 } };
      const threeOnly = await h.producer.start({ agent: 'looper', input: scripted('Ping pong, short.', [a, b, a, { text: 'stop' }]) });
      const four = await h.producer.start({ agent: 'looper', input: scripted('Ping pong.', [a, b, a, b, { text: 'stop' }]) });
      await h.producer.waitAll([threeOnly.sessionId, four.sessionId], { timeoutMs: 20_000 });
      const short = await loopEvents(h, threeOnly.sessionId);
      const long = await loopEvents(h, four.sessionId);
      expect(short.warnings).toHaveLength(0);
      expect(long.warnings).toHaveLength(1);
      expect(long.warnings[0]?.data).toMatchObject({ kind: 'ping_pong', tool: 'lookup', count: 4 });
      expect(long.warnings[0]?.step).toBe(3);
      // echo ran 2+2 times, lookup 1 (short) + 1 (long: its second call was answered with the reflection)
      expect(calls.lookup).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  test('the same error T times in a row flags the next call to that tool, not the T-th', async ({ redisUrl, queueName, prefix }) => {
    const calls = freshCalls();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent(calls)] });
    try {
      const script = [1, 2, 3, 4].map((attempt) => ({ tool: 'fail', input: { attempt } }));
      const { sessionId } = await h.producer.start({ agent: 'looper', input: scripted('Keep failing.', [...script, { text: 'stop' }]) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const { warnings } = await loopEvents(h, sessionId);
      expect(result.status).toBe('completed');
      expect(calls.fail).toEqual([1, 2, 3]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.data).toMatchObject({ kind: 'error_repeat', tool: 'fail', count: 3 });
      expect(warnings[0]?.step).toBe(3);
      expect(toolResultsSent(h)[3]?.content).toBe(LOOP_REFLECTIONS.error_repeat);
    } finally {
      await h.close();
    }
  });

  test('the calls of one turn are checked in one script, in turn order, as if one by one', async ({ redis, prefix }) => {
    const detector = new LoopDetector(redis, new Keys(prefix));
    const limits = { window: 9, threshold: 3, strikes: 1 };
    const call = (id: string, value = 'x') => ({ toolUseId: id, tool: 'echo', input: { value } });
    // An error streak at the threshold is answered by the first call of the tool in the turn only.
    for (const id of ['r1', 'r2', 'r3']) await detector.recordResult('b1', { toolUseId: id, tool: 'echo', isError: true, content: 'E' });
    const turn = await detector.checkTurn('b1', [call('u1', 'a'), call('u2', 'b'), call('u3', 'x'), call('u4', 'x'), call('u5', 'x')], limits);
    expect(turn.map((v) => [v.verdict, v.kind ?? '', v.count, v.strikes])).toEqual([
      ['warn', 'error_repeat', 3, 1],
      ['ok', '', 1, 1],
      ['ok', '', 1, 1],
      ['ok', '', 2, 1],
      ['stop', 'repeat', 3, 2],
    ]);
    // The same turn again (a retried step): the first verdicts, nothing counted twice.
    const again = await detector.checkTurn('b1', [call('u1', 'a'), call('u2', 'b'), call('u3', 'x'), call('u4', 'x'), call('u5', 'x')], limits);
    expect(again.map((v) => [v.verdict, v.fresh])).toEqual(turn.map((v) => [v.verdict, false]));
    // Only the tool whose streak is still open after the check needs a success recorded.
    expect(turn.map((v) => v.errorStreak)).toEqual([false, false, false, false, false]);
    expect(again.every((v) => v.errorStreak)).toBe(true);
    await detector.recordResult('b1', { toolUseId: 'r4', tool: 'echo', isError: true, content: 'E' });
    expect((await detector.checkTurn('b1', [call('u6', 'y')], limits))[0]?.errorStreak).toBe(true);
    const state = await redis.hgetall(new Keys(prefix).loopState('b1'));
    expect(state.w?.split('\n')).toHaveLength(6);
    expect(state.strikes).toBe('2');
    expect(state['e:echo']).toBe(`1 ${sha256Hex('E')}`);
    // The window keeps max(window, ping-pong length) signatures.
    await detector.checkTurn(
      'b1',
      Array.from({ length: 12 }, (_, i) => call(`w${i}`, `v${i}`)),
      { window: 9, threshold: 3, strikes: 1 },
    );
    expect((await redis.hget(new Keys(prefix).loopState('b1'), 'w'))?.split('\n')).toHaveLength(9);
  });

  test("a fresh turn's loop check runs inside its model checkpoint, and only for the response that is stored", async ({ redis, prefix }) => {
    const keys = new Keys(prefix);
    const stores = createStores(redis, prefix);
    const detector = new LoopDetector(redis, keys);
    const limits = { window: 9, threshold: 3, strikes: 1 };
    const call = (id: string) => ({ toolUseId: id, tool: 'echo', input: { value: 'x' } });
    const usage = { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, costMicroUsd: 1 };
    // The checkpoint writes only for a session that exists.
    for (const id of ['m1', 'm2']) await redis.hset(keys.session(id), 'status', 'running');
    const turn = [call('u1'), call('u2'), call('u3')];
    const saved = await stores.sessions.checkpoints.saveModelCall('m1', 0, 'model', '{"n":1}', usage, undefined, { loop: loopTurnRequest(turn, limits) });
    // The same verdicts as the check run by itself on another session with the same calls.
    expect(saved.loop).toEqual(await detector.checkTurn('m2', turn, limits));
    expect(saved.loop?.map((v) => v.verdict)).toEqual(['ok', 'ok', 'warn']);
    // A second writer of the step (a race, a retry) gets the first response back; the calls of its own
    // response, which is not kept, are not checked.
    const raced = await stores.sessions.checkpoints.saveModelCall('m1', 0, 'model', '{"n":2}', usage, undefined, {
      loop: loopTurnRequest([call('x1'), call('x2')], limits),
    });
    expect(raced).toEqual({ stored: '{"n":1}', counted: false });
    expect((await redis.hget(keys.loopState('m1'), 'w'))?.split('\n')).toHaveLength(3);
    expect(await redis.hget(keys.loopState('m1'), 'v:x1')).toBeNull();
  });

  test('re-checking the same tool_use (a retried step) neither counts it twice nor adds a strike', async ({ redis, prefix }) => {
    const detector = new LoopDetector(redis, new Keys(prefix));
    const limits = { window: 9, threshold: 3, strikes: 2 };
    const call = (id: string) => ({ toolUseId: id, tool: 'echo', input: { value: 'x' } });
    expect((await detector.check('s1', call('t1'), limits)).verdict).toBe('ok');
    expect((await detector.check('s1', call('t2'), limits)).verdict).toBe('ok');
    const again = await detector.check('s1', call('t2'), limits);
    expect(again).toMatchObject({ verdict: 'ok', fresh: false, count: 2 });
    const third = await detector.check('s1', call('t3'), limits);
    expect(third).toMatchObject({ verdict: 'warn', kind: 'repeat', count: 3, strikes: 1, fresh: true });
    const thirdAgain = await detector.check('s1', call('t3'), limits);
    expect(thirdAgain).toMatchObject({ verdict: 'warn', kind: 'repeat', count: 3, strikes: 1, fresh: false });
    expect((await redis.hget(new Keys(prefix).loopState('s1'), 'w'))?.split('\n')).toHaveLength(3);
    expect(await redis.hget(new Keys(prefix).loopState('s1'), 'strikes')).toBe('1');
    // results are recorded once per tool_use id too
    expect(await detector.recordResult('s1', { toolUseId: 't1', tool: 'echo', isError: true, content: 'E' })).toBe(1);
    expect(await detector.recordResult('s1', { toolUseId: 't1', tool: 'echo', isError: true, content: 'E' })).toBe(-1);
    expect(await detector.recordResult('s1', { toolUseId: 't2', tool: 'echo', isError: true, content: 'E' })).toBe(2);
  });
});
