import { describe, expect, test } from 'vitest';
import { mcpToolPolicy } from './mcp-risk.js';

describe('risk and idempotency of MCP tools from their annotations', () => {
  test('worst case when hints are absent; each hint lowers only what it vouches for; an override wins', () => {
    const cases = [
      [undefined, { risk: 'high', idempotent: false }],
      [{}, { risk: 'high', idempotent: false }],
      [{ readOnlyHint: true }, { risk: 'low', idempotent: true }],
      [
        { readOnlyHint: true, openWorldHint: false },
        { risk: 'safe', idempotent: true },
      ],
      [{ destructiveHint: false }, { risk: 'medium', idempotent: false }],
      [
        { destructiveHint: false, idempotentHint: true },
        { risk: 'medium', idempotent: true },
      ],
      [
        { destructiveHint: true, idempotentHint: true },
        { risk: 'high', idempotent: true },
      ],
      // a read-only tool is not destructive whatever destructiveHint says
      [
        { readOnlyHint: true, destructiveHint: true, openWorldHint: false },
        { risk: 'safe', idempotent: true },
      ],
    ] as const;
    for (const [annotations, expected] of cases) expect(mcpToolPolicy(annotations)).toEqual(expected);
    expect(mcpToolPolicy(undefined, { risk: 'low', idempotent: true })).toEqual({ risk: 'low', idempotent: true });
    expect(mcpToolPolicy({ readOnlyHint: true, openWorldHint: false }, { risk: 'medium' })).toEqual({ risk: 'medium', idempotent: true });
  });
});
