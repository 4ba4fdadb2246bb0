import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '../../../../test/support/fixtures.js';
import { Redis } from 'ioredis';
import { RedisServer } from '../testing/redis-server.js';
import { expandIncludes, isNoScript, readScriptDir, ScriptRegistry, scriptRegistry } from './scripts.js';

const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

describe('the script registry', () => {
  test('every verbNoun-N.lua file of the package is registered, by the SHA1 of its source with its includes', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    const registry = scriptRegistry();
    expect(registry.names().sort()).toEqual(files.map((f) => f.replace(/-\d+\.lua$/, '')).sort());
    for (const file of files) {
      const sha = createHash('sha1')
        .update(expandIncludes(LUA_DIR, file, readFileSync(LUA_DIR + file, 'utf8')))
        .digest('hex');
      expect(registry.shaOf(file.replace(/-\d+\.lua$/, ''))).toBe(sha);
    }
    console.log(`${files.length} scripts registered`);
  });

  test('an include line is replaced by its file; an include with no file is refused, naming the script', () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'agentq-lua-'))}/`;
    mkdirSync(`${dir}include`);
    writeFileSync(`${dir}include/twice.lua`, 'local function twice(x) return 2 * x end\n');
    writeFileSync(`${dir}double-0.lua`, '-- doubles\n--#include twice\nreturn twice(tonumber(ARGV[1]))\n');
    const [script] = readScriptDir(dir);
    expect(script?.lua).toBe('-- doubles\nlocal function twice(x) return 2 * x end\nreturn twice(tonumber(ARGV[1]))\n');
    writeFileSync(`${dir}broken-0.lua`, '--#include missing\nreturn 1\n');
    expect(() => readScriptDir(dir)).toThrow('Lua script file "broken-0.lua" includes "missing"');
    rmSync(dir, { recursive: true });
  });

  // A process-global Symbol.for guard meant a second copy of the package on the same connection never
  // registered its scripts, and silently ran the first copy's.
  test('two copies with different scripts of the same name share one connection and each runs its own', async ({ redis }) => {
    const first = new ScriptRegistry([{ name: 'whoAmI', numberOfKeys: 0, lua: "return 'first'" }]);
    const second = new ScriptRegistry([{ name: 'whoAmI', numberOfKeys: 0, lua: "return 'second'" }]);
    expect(await second.run(redis, 'whoAmI', [], [])).toBe('second');
    expect(await first.run(redis, 'whoAmI', [], [])).toBe('first');
    const pipeline = redis.pipeline();
    first.pipe(pipeline, 'whoAmI', [], []);
    second.pipe(pipeline, 'whoAmI', [], []);
    expect((await pipeline.exec())?.map(([, value]) => value)).toEqual(['first', 'second']);
  });

  // Scripts run by SHA: after Redis lost its script cache (a restart, SCRIPT FLUSH) the next call sends the
  // source again, on a plain call and, through the caller's retry, in a pipeline. A server of its own: a
  // flush on the suite's would send every other test's scripts through the NOSCRIPT path.
  test('a script runs again after SCRIPT FLUSH; a pipelined call answers NOSCRIPT for the caller to retry', async () => {
    const server = await RedisServer.start();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      const registry = new ScriptRegistry([{ name: 'add', numberOfKeys: 0, lua: 'return tonumber(ARGV[1]) + 1' }]);
      expect(await registry.run(redis, 'add', [], [1])).toBe(2);
      await redis.script('FLUSH');
      expect(await registry.run(redis, 'add', [], [2])).toBe(3);
      await redis.script('FLUSH');
      const pipeline = redis.pipeline();
      registry.pipe(pipeline, 'add', [], [3]);
      const [reply] = (await pipeline.exec()) ?? [];
      expect(isNoScript(reply?.[0])).toBe(true);
    } finally {
      redis.disconnect();
      await server.destroy();
    }
  });

  test('nothing is defined on the connection: a pipeline does not copy scripts', async ({ redis }) => {
    await scriptRegistry().run(redis, 'transitionStatus', ['aq:none'], ['completed', Date.now(), -1, 'running']);
    expect(Object.keys((redis as unknown as { scriptsSet: object }).scriptsSet)).toEqual([]);
  });

  test('the Lua folder ships with the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('lua');
  });
});
