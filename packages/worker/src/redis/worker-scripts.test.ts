import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '../../../../test/support/fixtures.js';
import { createRedis } from '@agentq/shared';
import { runWorkerScript, workerScripts } from './worker-scripts.js';

const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

describe("the worker's script registry", () => {
  test('every verbNoun-N.lua file of the package is registered, by the SHA1 of its source', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    const registry = workerScripts();
    expect(registry.names().sort()).toEqual(files.map((f) => f.replace(/-\d+\.lua$/, '')).sort());
    for (const file of files) {
      const sha = createHash('sha1')
        .update(readFileSync(LUA_DIR + file))
        .digest('hex');
      expect(registry.shaOf(file.replace(/-\d+\.lua$/, ''))).toBe(sha);
    }
    console.log(`${files.length} worker scripts registered`);
  });

  test('a script runs on a connection without an explicit definition step', async ({ redis, prefix }) => {
    const key = `${prefix}:limiter`;
    expect(await runWorkerScript<number>(redis, 'extendQueuePause', [key], [5000])).toBeGreaterThan(0);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  test('on an auto-pipelined connection, a script first called in the same tick as other commands runs', async ({ redisUrl, prefix }) => {
    // The worker's connection auto-pipelines: when scripts were commands defined on the connection, a pipeline
    // opened in this tick lacked a script defined after it (the worker crashed). Scripts now run by SHA.
    const redis = createRedis(redisUrl, { enableAutoPipelining: true });
    try {
      const key = `${prefix}:limiter-auto`;
      const [, pause] = await Promise.all([redis.get(`${prefix}:other`), runWorkerScript<number>(redis, 'extendQueuePause', [key], [5000])]);
      expect(pause).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  test('the Lua folder ships with the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('lua');
  });
});
