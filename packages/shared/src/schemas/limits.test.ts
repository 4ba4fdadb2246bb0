import { describe, expect, it } from 'vitest';
import { LimitsInput, resolveLimits } from './limits.js';

describe('resolveLimits', () => {
  // Bug: LimitsInput filled in every default, so a session started without limits ({}) reset the agent's
  // maxSteps to 25 and its memory window to none.
  it("keeps the agent's limits when a later layer does not set them", () => {
    expect(LimitsInput.parse({})).toEqual({});
    expect(LimitsInput.parse({ memory: {} })).toEqual({ memory: {} });
    const limits = resolveLimits({ maxSteps: 200, memory: { windowTokens: 8000 } }, {}, LimitsInput.parse({ memory: { foldTo: 0.25 } }));
    expect(limits.maxSteps).toBe(200);
    expect(limits.memory).toEqual({
      windowTokens: 8000,
      summaryModel: 'claude-haiku-4-5',
      summaryMaxTokens: 1024,
      maxToolResultChars: 20_000,
      foldTo: 0.25,
      countTokens: false,
    });
  });

  it('still validates every layer', () => {
    expect(() => resolveLimits({ memory: { foldTo: 0 } })).toThrow();
    expect(() => resolveLimits({ memory: { windowTokens: -1 } })).toThrow();
    expect(() => LimitsInput.parse({ memory: { window: 5 } })).toThrow();
  });
});
