import { Keys } from '@agentq/shared/internal';
import { AgentProducer } from '@agentq/producer';
import { TRACEPARENT_FIELD } from '@agentq/worker';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, vi } from 'vitest';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { echoAgent } from './support/rate-limit-agent.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

// The one-tool agent of the rate-limit tests (named 'rl').
const agent = echoAgent();

const attr = (span: ReadableSpan, name: string) => span.attributes[name];

/** BullMQ ends a job's `process` span after the job's result is stored, so after `wait()` returns: poll for them. */
async function processSpansOf(sessionId: string, jobs: number): Promise<ReadableSpan[]> {
  return vi.waitFor(
    () => {
      const spans = exporter
        .getFinishedSpans()
        .filter((s) => s.kind === SpanKind.CONSUMER && String(s.attributes['bullmq.job.id']).startsWith(`${sessionId}-s`));
      if (spans.length < jobs) throw new Error(`${spans.length} of ${jobs} process spans ended`);
      return spans;
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('OpenTelemetry tracing', () => {
  test('a 5-step session run by a worker yields one trace: invoke_agent per step, chat per model call, execute_tool per tool call', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    exporter.reset();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], worker: { tracing: true } });
    try {
      const script = [
        { tool: 'echo', input: { value: 'one' } },
        { tool: 'echo', input: { value: 'two' } },
        { tool: 'echo', input: { value: 'three' } },
        { tool: 'echo', input: { value: 'four' } },
        { text: 'All done.' },
      ];
      const { sessionId } = await h.producer.start({ agent: agent.name, input: scripted('Echo four words.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(result.steps).toBe(5);
      // The last step's span ends just after its job settles, which can be after wait() has seen the session end.
      await vi.waitFor(
        async () => {
          await provider.forceFlush();
          const ended = exporter
            .getFinishedSpans()
            .filter((s) => attr(s, 'gen_ai.conversation.id') === sessionId && attr(s, 'gen_ai.operation.name') === 'invoke_agent');
          if (ended.length < 5) throw new Error(`${ended.length} of 5 step spans ended`);
        },
        { timeout: 5_000, interval: 50 },
      );

      const ours = exporter.getFinishedSpans().filter((s) => attr(s, 'gen_ai.conversation.id') === sessionId);
      const steps = ours.filter((s) => attr(s, 'gen_ai.operation.name') === 'invoke_agent');
      const chats = ours.filter((s) => attr(s, 'gen_ai.operation.name') === 'chat' && s.name.startsWith('chat '));
      // The SDK's own span of each API call carries the session id as its conversation id.
      const sdkCalls = ours.filter((s) => s.name === 'anthropic.messages.create');
      const tools = ours.filter((s) => attr(s, 'gen_ai.operation.name') === 'execute_tool');
      const sessionSpans = ours.filter((s) => s.name === 'agentq.session');
      const traceIds = new Set(ours.map((s) => s.spanContext().traceId));
      console.log(
        `spans: session ${sessionSpans.length}, steps ${steps.length}, chat ${chats.length}, sdk calls ${sdkCalls.length}, tools ${tools.length}, traces ${traceIds.size}`,
      );
      expect(sessionSpans).toHaveLength(1);
      expect(steps).toHaveLength(5);
      expect(chats).toHaveLength(5);
      expect(tools).toHaveLength(4);
      expect(sdkCalls).toHaveLength(5);
      expect(traceIds.size).toBe(1);
      const chatIds = new Set(chats.map((s) => s.spanContext().spanId));
      for (const call of sdkCalls) expect(chatIds.has(call.parentSpanContext?.spanId ?? '')).toBe(true);

      // Every step span is a child of the session span, wherever its job ran; the step's calls are its children.
      const root = sessionSpans[0] as ReadableSpan;
      for (const step of steps) expect(step.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(steps.map((s) => attr(s, 'agentq.step')).sort()).toEqual([0, 1, 2, 3, 4]);
      const stepIds = new Set(steps.map((s) => s.spanContext().spanId));
      for (const child of [...chats, ...tools]) expect(stepIds.has(child.parentSpanContext?.spanId ?? '')).toBe(true);
      // The session's trace context is kept with the session.
      const redis = new Redis(redisUrl);
      const stored = await redis.hget(new Keys(prefix).session(sessionId), TRACEPARENT_FIELD).finally(() => redis.disconnect());
      expect(stored).toBe(`00-${root.spanContext().traceId}-${root.spanContext().spanId}-01`);

      // Span links between jobs: each step links to BullMQ's process span of its job.
      const processSpans = await processSpansOf(sessionId, 5);
      const processIds = new Set(processSpans.map((s) => s.spanContext().spanId));
      for (const step of steps) expect(step.links.some((l) => processIds.has(l.context.spanId))).toBe(true);

      const step0 = steps.find((s) => attr(s, 'agentq.step') === 0) as ReadableSpan;
      expect(step0.name).toBe('invoke_agent rl');
      expect(attr(step0, 'gen_ai.agent.name')).toBe('rl');
      expect(attr(step0, 'gen_ai.provider.name')).toBe('anthropic');
      expect(attr(step0, 'agentq.step.result')).toBe('advanced');

      for (const chat of chats) {
        expect(chat.kind).toBe(SpanKind.CLIENT);
        expect(chat.name).toMatch(/^chat /);
        expect(attr(chat, 'gen_ai.provider.name')).toBe('anthropic');
        expect(attr(chat, 'gen_ai.request.model')).toBe(agent.model);
        expect(typeof attr(chat, 'gen_ai.response.model')).toBe('string');
        expect(typeof attr(chat, 'gen_ai.response.id')).toBe('string');
        expect(attr(chat, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
        expect(attr(chat, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
      }
      const inputTokens = chats.reduce(
        (n, s) =>
          n +
          Number(attr(s, 'gen_ai.usage.input_tokens')) -
          Number(attr(s, 'gen_ai.usage.cache_read.input_tokens')) -
          Number(attr(s, 'gen_ai.usage.cache_creation.input_tokens')),
        0,
      );
      expect(inputTokens).toBe(result.usage.inputTokens);
      expect(chats.filter((s) => (attr(s, 'gen_ai.response.finish_reasons') as string[])[0] === 'tool_use')).toHaveLength(4);

      for (const tool of tools) {
        expect(tool.name).toBe('execute_tool echo');
        expect(attr(tool, 'gen_ai.tool.name')).toBe('echo');
        expect(attr(tool, 'gen_ai.tool.call.id')).toMatch(/^toolu_/);
      }
      expect(new Set(tools.map((s) => attr(s, 'gen_ai.tool.call.id'))).size).toBe(4);
    } finally {
      await h.close();
    }
  });

  test("a producer with tracing records its add in the caller's trace, and the session span links to the first job's span", async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    exporter.reset();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], worker: { tracing: true } });
    const producer = new AgentProducer({ connection: redisUrl, queueName, prefix, tracing: true });
    try {
      const caller = trace.getTracer('caller').startSpan('handle request');
      const { sessionId } = await context.with(trace.setSpan(context.active(), caller), () =>
        producer.start({ agent: agent.name, input: scripted('Say done.', [{ text: 'Done.' }]) }),
      );
      caller.end();
      expect((await producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      await provider.forceFlush();
      const spans = exporter.getFinishedSpans();
      // One session's job goes out with BullMQ's `add` (a batch's with `addBulk`): both trace the add.
      const add = spans.filter((s) => s.kind === SpanKind.PRODUCER && s.attributes['bullmq.queue.operation'] === 'add');
      expect(add).toHaveLength(1);
      expect(add[0]?.spanContext().traceId).toBe(caller.spanContext().traceId);
      const processOfFirst = await processSpansOf(sessionId, 1);
      expect(processOfFirst).toHaveLength(1);
      const session = spans.filter((s) => s.name === 'agentq.session' && s.attributes['gen_ai.conversation.id'] === sessionId);
      expect(session).toHaveLength(1);
      expect(session[0]?.links.map((l) => l.context.spanId)).toEqual([processOfFirst[0]?.spanContext().spanId]);
    } finally {
      await producer.close();
      await h.close();
    }
  });

  test('a worker without tracing opens no spans of its own nor BullMQ spans', async ({ redisUrl, queueName, prefix }) => {
    exporter.reset();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const { sessionId } = await h.producer.start({
        agent: agent.name,
        input: scripted('Echo one word.', [{ tool: 'echo', input: { value: 'one' } }, { text: 'Done.' }]),
      });
      expect((await h.producer.wait(sessionId, { timeoutMs: 20_000 })).status).toBe('completed');
      await provider.forceFlush();
      // Only the SDK's spans remain: this process registered a provider, and the SDK traces into it by itself.
      // (Filtered by session and queue: a span of an earlier test may end late.)
      const spans = exporter
        .getFinishedSpans()
        .filter((s) => s.attributes['gen_ai.conversation.id'] === sessionId || s.attributes['bullmq.queue.name'] === queueName);
      expect(spans.filter((s) => s.name !== 'anthropic.messages.create')).toHaveLength(0);
      expect(spans).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});
