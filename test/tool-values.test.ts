import { defineAgent, defineTool, type ToolOutput } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';
import { toolResultsSent } from './support/tool-results.js';

function valuesAgent(counts: Map<string, number>) {
  const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const pay = defineTool({
    name: 'pay',
    description: 'Pay; answers with a receipt that cannot be serialised',
    input: z.object({ amount: z.number() }),
    risk: 'low',
    idempotent: false,
    run: async ({ amount }) => {
      count('pay');
      const receipt: Record<string, unknown> = { amount, paid: true };
      receipt.self = receipt;
      return receipt as unknown as ToolOutput;
    },
  });
  const ledger = defineTool({
    name: 'ledger',
    description: 'Reads a ledger; answers with a BigInt',
    input: z.object({}),
    risk: 'safe',
    run: async () => {
      count('ledger');
      return { balance: 10n } as unknown as ToolOutput;
    },
  });
  const dump = defineTool({
    name: 'dump',
    description: 'Returns a huge result',
    input: z.object({ mb: z.number() }),
    risk: 'safe',
    run: async ({ mb }) => 'x'.repeat(mb * 1024 * 1024),
  });
  return defineAgent({ name: 'values', system: 'You are a test agent.', tools: [pay, ledger, dump] });
}

describe('tool values that cannot be kept whole', () => {
  // It broke: the side effect happened but the result was reported "failed", inviting a second payment,
  // and the idempotent variant ran 3 times.
  test('an unserialisable result is "completed, result not recordable": one run each, not an error, never retried', async ({ redisUrl, queueName, prefix }) => {
    const counts = new Map<string, number>();
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [valuesAgent(counts)] });
    try {
      const script = [
        [
          { tool: 'pay', input: { amount: 5 } },
          { tool: 'ledger', input: {} },
        ],
        { text: 'done' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'values', input: scripted('Pay.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const sent = toolResultsSent(h.mock);
      const events = (await h.producer.events(sessionId)).filter((e) => e.type === 'tool_result');
      console.log(`runs pay ${counts.get('pay')}, ledger ${counts.get('ledger')}; results sent ${sent.length}`);
      expect(result.status).toBe('completed');
      expect(counts.get('pay')).toBe(1);
      expect(counts.get('ledger')).toBe(1);
      expect(sent).toHaveLength(2);
      for (const r of sent) {
        expect(r.is_error).toBeUndefined();
        expect(r.content).toContain('completed, but its result could not be recorded');
      }
      expect(events.map((e) => e.data.unrecordable)).toEqual([true, true]);
    } finally {
      await h.close();
    }
  });

  // It broke: a 50 MB result was kept whole in the history and the checkpoint.
  test('a result over maxToolResultBytes is cut at the store with a note of what was cut', async ({ redisUrl, queueName, prefix, redis }) => {
    const h = await startHarness({
      redisUrl,
      queueName,
      prefix,
      agents: [valuesAgent(new Map())],
      worker: { step: { stepBackoffMs: 50, maxToolResultBytes: 10_000 } },
    });
    try {
      const script = [{ tool: 'dump', input: { mb: 5 } }, { text: 'done' }];
      const { sessionId } = await h.producer.start({ agent: 'values', input: scripted('Dump.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      const sent = toolResultsSent(h.mock);
      const event = (await h.producer.events(sessionId)).find((e) => e.type === 'tool_result');
      const historyBytes = (await redis.lrange(`${prefix}:s:{${sessionId}}:history`, 0, -1)).reduce((n, line) => n + Buffer.byteLength(line), 0);
      console.log(`history ${historyBytes} bytes, result sent ${sent[0]?.content.length} chars`);
      expect(result.status).toBe('completed');
      expect(sent).toHaveLength(1);
      expect(Buffer.byteLength(sent[0]!.content)).toBeLessThanOrEqual(10_000 + 200);
      expect(sent[0]!.content).toContain(`cut to 10000 of ${5 * 1024 * 1024} bytes`);
      expect(historyBytes).toBeLessThan(20_000);
      expect(event?.data.originalBytes).toBe(5 * 1024 * 1024);
    } finally {
      await h.close();
    }
  });
});
