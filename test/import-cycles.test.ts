import { describe, expect, test } from 'vitest';
import { importCycles, importGraph, sourceFiles } from './support/import-graph.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DIRS = ['packages/shared/src', 'packages/worker/src', 'packages/producer/src', 'packages/mock-anthropic/src', 'examples/src', 'bench/src'];

describe('imports', () => {
  // A helper that imports the step back (step-context → step-deps → tools/tool-guard → step-context) makes
  // every lower folder depend on the whole step; type-only imports count, as they tie the same knot.
  test('no file imports itself back, through any chain of relative imports', () => {
    const files = sourceFiles(ROOT, DIRS);
    const cycles = importCycles(importGraph(ROOT, files));
    console.log(`${files.length} files, ${cycles.length} import cycles`);
    expect(cycles).toEqual([]);
  });

  test('the checker finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
