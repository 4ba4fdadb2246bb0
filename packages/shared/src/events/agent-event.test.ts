import { describe, expect, test } from '../../../../test/support/fixtures.js';
import { createStores } from '../runtime-context.js';
import { type AgentEvent, AgentEventType, EVENT_DATA, isEventOf, parseAgentEvent } from '../schemas/agent-event.js';
import { decodeEvent, type EventInput } from './event-log.js';

const envelope = { sessionId: 'ses_1', step: 2, timestamp: 1000 };
const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 1, cacheWriteTokens: 2, costUsd: 0.25 };

// Never called: the lines under @ts-expect-error must fail to typecheck (`pnpm typecheck` checks this file).
export function emittersAreTyped(append: (input: EventInput) => void): void {
  append({ ...envelope, type: 'step_started', data: { attempt: 1 } });
  // @ts-expect-error an event type nobody declared
  append({ ...envelope, type: 'step_exploded', data: {} });
  // @ts-expect-error model_call without its usage
  append({ ...envelope, type: 'model_call', data: { model: 'm' } });
  // @ts-expect-error a renamed field (costUsd → cost) is caught where it is written
  append({ ...envelope, type: 'model_call', data: { model: 'm', usage: { ...usage, costUsd: undefined, cost: 1 } } });
}

describe('events: one discriminated union, one decoder', () => {
  test('every declared type has a data schema and is in the enum readers filter by', () => {
    expect(Object.keys(EVENT_DATA).sort()).toEqual([...AgentEventType.options].sort());
    expect(AgentEventType.options.length).toBe(32);
  });

  test('a known event decodes to its typed variant and keeps data keys the schema does not list', () => {
    const event = parseAgentEvent({ ...envelope, type: 'model_call', data: { model: 'm', usage, requestId: 'req_1', extra: 'kept' } });
    expect(event.type).toBe('model_call');
    if (event.type !== 'model_call') throw new Error('narrowing');
    expect(event.data.usage.costUsd).toBe(0.25);
    expect((event.data as Record<string, unknown>).extra).toBe('kept');
  });

  test('an unknown type, or a known type whose data does not match, decodes to `unknown` instead of throwing', () => {
    const newer = parseAgentEvent({ ...envelope, type: 'from_the_future', data: { x: 1 } });
    expect(newer).toMatchObject({ type: 'unknown', originalType: 'from_the_future', data: { x: 1 } });
    const mangled = parseAgentEvent({ ...envelope, type: 'model_call', data: { model: 'm', usage: { costUsd: 'lots' } } });
    expect(mangled).toMatchObject({ type: 'unknown', originalType: 'model_call' });
    // A stream entry with unreadable data and no step: still an event, never a crash.
    const broken = decodeEvent('1-0', ['sessionId', 's', 'type', 'tool_result', 'data', '{not json', 'ts', 'x']);
    expect(broken).toMatchObject({ id: '1-0', type: 'unknown', originalType: 'tool_result', step: 0, timestamp: 0, data: {} });
  });

  test('events appended through the log read back typed, in order, and unknown entries are kept as `unknown`', async ({ redis, prefix }) => {
    const stores = createStores(redis, prefix);
    // The session's stream is appended to only while the session exists.
    await stores.sessions.create({
      sessionId: 'ses_1',
      agent: 'a',
      status: 'running',
      step: 2,
      input: 'x',
      metadata: {},
      limits: {},
      createdAt: 1,
      updatedAt: 1,
      usage: { ...usage, costUsd: 0 },
    });
    const seen: AgentEvent[] = [];
    stores.events.onEvent((event) => seen.push(event));
    await stores.events.append({ ...envelope, type: 'step_started', data: { attempt: 1 } });
    await stores.events.append({ ...envelope, type: 'model_call', data: { model: 'm', usage, requestId: null } });
    await stores.events.append({
      ...envelope,
      type: 'tool_result',
      data: { tool: 't', toolUseId: 'tu', isError: true, errorCode: 'tool_timeout', attempts: 2, ran: true },
    });
    // An entry written by some other version, straight into the stream.
    await redis.xadd(
      stores.keys.sessionEvents('ses_1'),
      '*',
      'sessionId',
      'ses_1',
      'step',
      '2',
      'type',
      'tool_teleported',
      'ts',
      '1001',
      'data',
      '{"to":"mars"}',
    );

    const events = await stores.events.forSession('ses_1');
    expect(events.map((e) => e.type)).toEqual(['step_started', 'model_call', 'tool_result', 'unknown']);
    const results = events.filter(isEventOf('tool_result'));
    expect(results[0]?.data.errorCode).toBe('tool_timeout');
    const models = await stores.events.since(0, { types: ['model_call'] });
    expect(models.map((e) => e.data.usage.costUsd)).toEqual([0.25]);
    // In-process observers (metrics, alerts) get the decoded events too.
    expect(seen.map((e) => e.type)).toEqual(['step_started', 'model_call', 'tool_result']);
  });
});
