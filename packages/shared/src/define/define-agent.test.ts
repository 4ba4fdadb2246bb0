import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_MODEL } from '../schemas/limits.js';
import { type AgentOptions, defineAgent } from './define-agent.js';
import { defineTool } from './define-tool.js';

const tool = defineTool({ name: 'look', description: 'looks', input: z.object({}), risk: 'safe', run: async () => 'ok' });

describe('defineAgent', () => {
  it('defaults to the current Sonnet and passes the Claude options through', () => {
    expect(DEFAULT_MODEL).toBe('claude-sonnet-5-5');
    const agent = defineAgent({
      name: 'a',
      system: 's',
      tools: [tool],
      thinking: { type: 'enabled', budgetTokens: 2048 },
      effort: 'high',
      fallbackModel: 'claude-opus-5-5',
      toolChoice: { type: 'any' },
      serviceTier: 'standard_only',
      serverTools: [{ kind: 'web_search', risk: 'medium', maxUses: 3 }],
    });
    expect(agent.model).toBe(DEFAULT_MODEL);
    expect(agent).toMatchObject({
      thinking: { type: 'enabled', budgetTokens: 2048 },
      effort: 'high',
      fallbackModel: 'claude-opus-5-5',
      serviceTier: 'standard_only',
    });
    expect(agent.serverTools).toEqual([{ kind: 'web_search', risk: 'medium', maxUses: 3 }]);
  });

  // An unknown option used to be dropped without a word: `thinking` was silently ignored before agents knew it.
  it('refuses an unknown option, naming it', () => {
    const options = { name: 'a', system: 's', tools: [], thinkng: { type: 'adaptive' } } as unknown as AgentOptions;
    expect(() => defineAgent(options)).toThrow('defineAgent "a": unknown option "thinkng"');
  });

  it('refuses a thinking budget under the API minimum and a bad effort', () => {
    expect(() => defineAgent({ name: 'a', system: 's', tools: [], thinking: { type: 'enabled', budgetTokens: 100 } })).toThrow(
      /thinking.budgetTokens must be at least 1024/,
    );
    expect(() => defineAgent({ name: 'a', system: 's', tools: [], effort: 'huge' as never })).toThrow(/effort/);
    expect(() => defineAgent({ name: 'bad name', system: 's', tools: [] })).toThrow(/name: may hold only letters/);
  });
});
