import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));
const OWNER = 'shared/src/session/step-checkpoint.ts';
/** Files that name the checkpoint key (not its fields): the key's lifetime and the commit that expires it. */
const KEY_USERS = new Set([OWNER, 'shared/src/redis/keys.ts', 'shared/src/session/retention.ts', 'shared/src/session/session-store.ts']);

/** A string literal that starts with a checkpoint field name or prefix. */
const FIELD_LITERAL =
  /['"`](usage:|tool:|started:|deferred-attempts:|budget:day|budget:note|memory:estimate|batch:attempt|batch:result|outbox:|model:fallback|model:refit|summary:refit)/;
/** The checkpoint key taken in hand: reading or writing the hash around the owner. */
const CHECKPOINT_KEY = /\bkeys\.checkpoint\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the step checkpoint has one owner', () => {
  const files = readdirSync(PACKAGES).flatMap((pkg) => {
    try {
      return sources(join(PACKAGES, pkg, 'src'));
    } catch {
      return [];
    }
  });

  test('the package sources are found', () => {
    expect(files.some((file) => relative(PACKAGES, file) === OWNER)).toBe(true);
    expect(files.length).toBeGreaterThan(50);
  });

  test('no file outside step-checkpoint.ts names a checkpoint field or takes the checkpoint key in hand', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const name = relative(PACKAGES, file);
      if (name === OWNER) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (FIELD_LITERAL.test(line) || (CHECKPOINT_KEY.test(line) && !KEY_USERS.has(name))) offenders.push(`${name}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });

  test('the guard catches a field spelled elsewhere', () => {
    expect(FIELD_LITERAL.test("hset(key, 'budget:day', day)")).toBe(true);
    expect(FIELD_LITERAL.test('`tool:${id}`')).toBe(true);
    expect(CHECKPOINT_KEY.test('redis.hmget(deps.stores.keys.checkpoint(id, step - 1), ...)')).toBe(true);
  });
});
