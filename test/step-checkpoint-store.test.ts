import { createStores } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';
import { monitorRedis } from './support/monitor.js';

const usage = { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, costMicroUsd: 1 };

describe('the step checkpoint store', () => {
  // A tool result checkpoint reads the session record only when the checkpoint does not hold the turn's model
  // response (whose write checked it): one command less per tool call.
  test('a tool result is refused for a session that is gone, and stored beside its turn without reading the session', async ({ redis, redisUrl, prefix }) => {
    const { keys, sessions } = createStores(redis, prefix);
    // No session record, no checkpoint: refused, and no key comes back without an expiry.
    await expect(sessions.checkpoints.saveToolResult('gone', 1, 'toolu_1', '{"ok":true}')).rejects.toMatchObject({ code: 'session_not_found' });
    expect(await redis.exists(keys.checkpoint('gone', 1))).toBe(0);

    await redis.hset(keys.session('s1'), 'status', 'running');
    const saved = await sessions.checkpoints.saveModelCall('s1', 1, 'model', '{"content":[]}', usage);
    expect(saved.counted).toBe(true);
    // Every command on this test's keys, those scripts run included (other test files share the server).
    const commands: string[] = [];
    const stop = await monitorRedis(redisUrl, (line) => {
      if (line.includes(`"${prefix}:`)) commands.push(/\] "([a-zA-Z]+)"/.exec(line)?.[1]?.toLowerCase() ?? '');
    });
    expect(await sessions.checkpoints.saveToolResult('s1', 1, 'toolu_1', '{"ok":true}')).toEqual({ stored: '{"ok":true}', written: true });
    expect(await sessions.checkpoints.saveToolResult('s1', 1, 'toolu_1', '{"ok":false}')).toEqual({ stored: '{"ok":true}', written: false });
    await redis.ping();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(commands.filter((name) => name === 'evalsha')).toHaveLength(2);
    expect(commands.filter((name) => name === 'exists')).toEqual([]);
    expect(commands.filter((name) => name === 'hmget')).toHaveLength(2);
  });
});
