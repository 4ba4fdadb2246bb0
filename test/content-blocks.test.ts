import { defineAgent, defineTool, toolContent } from '@agentq/shared';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { startHarness } from './support/harness.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('content blocks', () => {
  test('an input of text, image and document blocks, and a tool that answers with a screenshot', async ({ redisUrl, queueName, prefix }) => {
    const screenshot = defineTool({
      name: 'screenshot',
      description: 'Take a screenshot',
      input: z.object({}),
      risk: 'safe',
      run: () =>
        toolContent([
          { type: 'text', text: 'the page' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ]),
    });
    const agent = defineAgent({ name: 'looker', system: 'You look at things.', tools: [screenshot] });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    try {
      const script = JSON.stringify({ script: [{ tool: 'screenshot' }, { text: 'seen' }] });
      const { sessionId } = await h.producer.start({
        agent: 'looker',
        input: [
          { type: 'text', text: `Compare these. ${script}` },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' }, title: 'report' },
        ],
      });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(h.mock.requests().filter((r) => r.status !== 200)).toEqual([]);
      expect(result).toMatchObject({ status: 'completed', output: 'seen' });
      const last = h.mock.requests().at(-1)?.body as { messages: Array<{ role: string; content: Array<{ type: string; content?: unknown }> }> };
      expect(last.messages[0]?.content.map((b) => b.type)).toEqual(['text', 'image', 'document']);
      const toolResult = last.messages.at(-1)?.content.find((b) => b.type === 'tool_result');
      expect((toolResult?.content as Array<{ type: string }>).map((b) => b.type)).toEqual(['text', 'image']);
      const session = await h.producer.get(sessionId);
      expect(session?.input).toBe(`Compare these. ${script}\n[image]\n[document: report]`);
    } finally {
      await h.close();
    }
  });

  test('a malformed block is refused at start with the path of the problem', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [defineAgent({ name: 'looker', system: 's', tools: [] })] });
    try {
      const bad = h.producer.start({ agent: 'looker', input: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }] as never });
      await expect(bad).rejects.toThrow(/input/);
    } finally {
      await h.close();
    }
  });
});
