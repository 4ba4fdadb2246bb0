import { type Agent, defineAgent } from '@agentq/shared';
import { createDemoTools, type DemoToolDeps } from './demo-tools.js';

/** Options of {@link createDemoAgent}: the tools' deps plus an optional model. */
export interface DemoAgentOptions extends DemoToolDeps {
  /** @defaultValue the agentq default model */
  model?: string;
}

const SYSTEM = [
  'You are a careful operations assistant for a small software company.',
  'You can search the web, read and write files in your working folder, send email, delete database records and make payments.',
  'Prefer the least risky tool that does the job. Deleting records, sending email and making payments may wait for a human approval; if one is denied, explain what you would have done and stop.',
  'When a tool returns an error, read it and correct your input instead of repeating the same call.',
  'Finish with a short summary of what you did.',
].join('\n');

/**
 * The `demo` agent: six offline tools, at most 12 steps, anything above `low` risk waits for approval. It
 * thinks (adaptive thinking, medium effort): its thinking blocks go back to the model verbatim and the
 * working memory stays append-only, as the current models' preserved-thinking check requires.
 */
export function createDemoAgent(options: DemoAgentOptions): Agent {
  return defineAgent({
    name: 'demo',
    ...(options.model === undefined ? {} : { model: options.model }),
    system: SYSTEM,
    tools: createDemoTools(options),
    thinking: { type: 'adaptive' },
    effort: 'medium',
    limits: { maxSteps: 12, maxAutoRisk: 'low' },
  });
}
