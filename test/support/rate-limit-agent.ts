import { defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';

/** A one-tool agent for the rate-limit and model-error tests. */
export function echoAgent() {
  const echo = defineTool({
    name: 'echo',
    description: 'Echo a value back',
    input: z.object({ value: z.string() }),
    risk: 'safe',
    run: async ({ value }) => `echo:${value}`,
  });
  return defineAgent({ name: 'rl', system: 'You are a test agent.', tools: [echo] });
}
