import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '../../../../test/support/fixtures.js';
import { ScriptRegistry, scriptRegistry } from './scripts.js';

const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

describe('the script registry', () => {
  test('every verbNoun-N.lua file of the package is registered, under a name with its content hash', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
    const registry = scriptRegistry();
    expect(registry.names().sort()).toEqual(files.map((f) => f.replace(/-\d+\.lua$/, '')).sort());
    for (const name of registry.names()) expect(registry.commandOf(name)).toMatch(new RegExp(`^aq_${name}_[0-9a-f]{12}$`));
    console.log(`${files.length} scripts registered`);
  });

  // A process-global Symbol.for guard meant a second copy of the package on the same connection never
  // registered its scripts, and silently ran the first copy's.
  test('two copies with different scripts of the same name share one connection and each runs its own', async ({ redis }) => {
    const first = new ScriptRegistry([{ name: 'whoAmI', numberOfKeys: 0, lua: "return 'first'" }]);
    const second = new ScriptRegistry([{ name: 'whoAmI', numberOfKeys: 0, lua: "return 'second'" }]);
    first.define(redis);
    expect(await second.run(redis, 'whoAmI', [], [])).toBe('second');
    expect(await first.run(redis, 'whoAmI', [], [])).toBe('first');
    const pipeline = redis.pipeline();
    first.pipe(pipeline, 'whoAmI', [], []);
    second.pipe(pipeline, 'whoAmI', [], []);
    expect((await pipeline.exec())?.map(([, value]) => value)).toEqual(['first', 'second']);
  });

  test('the Lua folder ships with the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('lua');
  });
});
