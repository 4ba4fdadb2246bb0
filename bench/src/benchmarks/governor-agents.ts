/**
 * The agents module the governor benchmark's `agentq-worker` processes load: one agent with one cheap tool,
 * so every step's time is the model call and the rate limit is the only thing that binds.
 */
import { type Agent, defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';

export const GOVERNOR_BENCH_SYSTEM = 'You are a benchmark agent. Call the note tool as asked, then answer.';

export const noteTool = defineTool({
  name: 'note',
  description: 'Record a note and return an acknowledgement',
  input: z.object({ n: z.number() }),
  risk: 'safe',
  run: async ({ n }) => `noted ${n}`,
});

const agents: Agent[] = [defineAgent({ name: 'bench', system: GOVERNOR_BENCH_SYSTEM, tools: [noteTool], limits: { maxTokensPerCall: 256 } })];
export default agents;
