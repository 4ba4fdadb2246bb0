import { createStores, type Session } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';

const KEY = 'sk-ant-api03-abcdefghijklmnop';
const session = (sessionId: string): Session => ({
  sessionId,
  agent: 'a',
  status: 'running',
  step: 0,
  input: 'x',
  metadata: {},
  limits: {},
  createdAt: 1,
  updatedAt: 1,
  usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
});

describe('one scrubber for logs and events (issue 12, item 12)', () => {
  // Logs were scrubbed, but events (7 days in aq:events, the timeline, /api/sessions/:id) kept nested
  // Authorization headers, sk-ant-… keys and X-Api-Key values in plain text.
  test('secrets in event data never reach Redis, nor the readers of events written before', async ({ redis, prefix }) => {
    const stores = createStores(redis, prefix);
    await stores.sessions.create(session('ses_scrub'));
    await stores.events.append({
      sessionId: 'ses_scrub',
      step: 0,
      type: 'tool_call',
      data: {
        tool: 'fetch',
        toolUseId: 'toolu_1',
        risk: 'safe',
        input: { request: { headers: { Authorization: 'Bearer abcdefgh12345678', 'X-Api-Key': 'plain-value-1234' } }, note: `use ${KEY} here` },
      },
    });
    const raw = JSON.stringify([
      await redis.xrange(stores.keys.sessionEvents('ses_scrub'), '-', '+'),
      await redis.xrange(stores.keys.globalEvents(), '-', '+'),
    ]);
    // An event written before the scrubber (straight into the streams) is scrubbed when read.
    const legacy = JSON.stringify({ input: { apiKey: 'legacy-secret-value', text: `key ${KEY}` } });
    for (const key of [stores.keys.sessionEvents('ses_scrub'), stores.keys.globalEvents()]) {
      await redis.xadd(key, '*', 'sessionId', 'ses_scrub', 'step', '0', 'type', 'tool_call', 'ts', String(Date.now()), 'data', legacy);
    }
    const read = JSON.stringify([await stores.events.forSession('ses_scrub'), await stores.events.since(0)]);
    const leaks = (text: string) => ['abcdefgh12345678', 'plain-value-1234', KEY, 'legacy-secret-value'].filter((secret) => text.includes(secret));
    console.log(`secrets stored by append: ${leaks(raw).length}; secrets read back: ${leaks(read).length}`);
    expect(leaks(raw)).toEqual([]);
    expect(leaks(read)).toEqual([]);
    expect(read).toContain('[redacted]');
  });
});
