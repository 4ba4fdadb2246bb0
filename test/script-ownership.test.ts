import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { sourceFiles } from './support/import-graph.js';

const ROOT = new URL('..', import.meta.url).pathname;
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((name) => existsSync(join(ROOT, 'packages', name, 'package.json')));
const SOURCE_DIRS = [...PACKAGES.map((name) => `packages/${name}/src`), 'examples/src', 'bench/src'];
/** The registries name every script of their package in a type; a name there is not a call. */
const REGISTRIES = new Set(['packages/shared/src/redis/scripts.ts', 'packages/worker/src/redis/worker-scripts.ts']);

interface LuaScript {
  pkg: string;
  file: string;
  name: string;
  numberOfKeys: number;
  header: string;
}

/** Every `verbNoun-<numKeys>.lua` of every package's lua/ folder. */
function luaScripts(): LuaScript[] {
  return PACKAGES.flatMap((pkg) => {
    const dir = join(ROOT, 'packages', pkg, 'lua');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((file) => file.endsWith('.lua'))
      .map((file) => {
        const match = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
        if (!match) throw new Error(`packages/${pkg}/lua/${file} is not named verbNoun-<numKeys>.lua`);
        const header = /^--\[\[([\s\S]*?)\]\]/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? '';
        return { pkg, file, name: match[1] as string, numberOfKeys: Number(match[2]), header };
      });
  });
}

/** The package a source file belongs to (examples and bench count as their own). */
function packageOf(file: string): string {
  const [top, pkg] = file.split('/');
  return top === 'packages' ? (pkg as string) : (top as string);
}

describe('Lua script ownership', () => {
  const scripts = luaScripts();
  const sources = sourceFiles(ROOT, SOURCE_DIRS).map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

  // acquireGovernor, checkBreaker, parkBatchCall and eight more lived in packages/shared/lua but were called
  // only from the worker: their KEYS/ARGV order was defined in one package and relied on in another.
  test('every script is called only from source files of the package that ships it', () => {
    const misplaced: string[] = [];
    for (const script of scripts) {
      const quoted = new RegExp(`['"]${script.name}['"]`);
      const callers = sources.filter(({ text }) => quoted.test(text)).map(({ file }) => file);
      const foreign = callers.filter((file) => packageOf(file) !== script.pkg);
      if (callers.length === 0) misplaced.push(`${script.pkg}/lua/${script.file}: no caller`);
      for (const file of foreign) misplaced.push(`${script.pkg}/lua/${script.file}: called from ${file}`);
    }
    console.log(`${scripts.length} scripts in ${new Set(scripts.map((s) => s.pkg)).size} packages, ${misplaced.length} called from another package`);
    expect(misplaced).toEqual([]);
  });

  // settleTenant's KEYS and ARGV were spelled twice in budget-ledger.ts (settle and release): one typed
  // function or method per script keeps the positional order in one place.
  test('every script is named at one call site, the typed function or method that owns it', () => {
    const repeated: string[] = [];
    for (const script of scripts) {
      const quoted = new RegExp(`['"]${script.name}['"]`, 'g');
      const sites = sources.filter(({ file }) => !REGISTRIES.has(file)).flatMap(({ file, text }) => [...text.matchAll(quoted)].map(() => file));
      if (sites.length > 1) repeated.push(`${script.file}: ${sites.length} call sites (${[...new Set(sites)].join(', ')})`);
    }
    expect(repeated).toEqual([]);
  });

  test('no two packages ship a script of the same name', () => {
    const byName = new Map<string, string[]>();
    for (const script of scripts) byName.set(script.name, [...(byName.get(script.name) ?? []), script.pkg]);
    expect([...byName].filter(([, pkgs]) => pkgs.length > 1)).toEqual([]);
  });

  test("each script's header lists as many KEYS as its file name says, and its ARGV and return", () => {
    const wrong: string[] = [];
    for (const script of scripts) {
      const keys = new Set([...script.header.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])));
      const expected = Array.from({ length: script.numberOfKeys }, (_, i) => i + 1);
      if ([...keys].sort((a, b) => a - b).join() !== expected.join())
        wrong.push(`${script.pkg}/lua/${script.file}: header KEYS ${[...keys].join(',') || 'none'}`);
      if (!/\bReturns?\b/.test(script.header)) wrong.push(`${script.pkg}/lua/${script.file}: header has no Returns line`);
    }
    expect(scripts.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });
});
