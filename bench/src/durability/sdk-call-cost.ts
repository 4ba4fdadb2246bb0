import Anthropic from '@anthropic-ai/sdk';
import { instantModelFetch } from './instant-model.js';

/**
 * CPU cost of one model call through the real SDK with the instant in-process model: what every agentq step
 * pays before any queue or Redis work. 50 calls in flight at a time, as the worker runs them.
 */
export async function sdkCallCost(calls = 5000, concurrency = 50): Promise<{ calls: number; cpuMsPerCall: number; ceilingStepsPerSec: number }> {
  const client = new Anthropic({ apiKey: 'bench', maxRetries: 0, fetch: instantModelFetch(5) });
  const request = {
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    system: [{ type: 'text' as const, text: 'You are a benchmark agent.', cache_control: { type: 'ephemeral' as const } }],
    tools: [{ name: 'noop', description: 'Does nothing', input_schema: { type: 'object' as const, properties: { n: { type: 'number' } } } }],
    messages: [{ role: 'user' as const, content: 'Run the benchmark.' }],
  };
  // Warm up the SDK's lazy paths before measuring.
  for (let i = 0; i < 200; i++) await client.messages.create(request).withResponse();
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next += 1;
        await client.messages.create(request).withResponse();
      }
    }),
  );
  const used = process.cpuUsage(before);
  const cpuMsPerCall = (used.user + used.system) / 1000 / calls;
  return { calls, cpuMsPerCall: Math.round(cpuMsPerCall * 1000) / 1000, ceilingStepsPerSec: Math.round(1000 / cpuMsPerCall) };
}
