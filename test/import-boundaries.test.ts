import { describe, expect, test } from 'vitest';
import { importGraph, importsInto, sourceFiles } from './support/import-graph.js';

const ROOT = new URL('..', import.meta.url).pathname;
const STEP = 'packages/worker/src/step';
/**
 * The worker's composition root: the files that build the step's deps and hand it its jobs, and the public
 * barrel. Every other helper takes a narrow input of its own folder that the step's context satisfies.
 */
const COMPOSITION_ROOT = ['packages/worker/src/index.ts', 'packages/worker/src/start-worker.ts'];

describe('import boundaries', () => {
  // step/ is the hub that runs a step: a helper that imports it back depends on the whole step (and unit tests
  // beside a helper would need a whole step to run it).
  test('no worker file outside step/ imports step/, except the composition root', () => {
    const files = sourceFiles(ROOT, ['packages/worker/src'], { tests: true });
    const offending = importsInto(importGraph(ROOT, files), STEP, COMPOSITION_ROOT);
    console.log(`${files.length} files, ${offending.length} imports of step/ from outside it`);
    expect(offending).toEqual([]);
  });

  test('the checker finds an import into the folder from outside it', () => {
    const graph = new Map([
      ['src/step/a.ts', ['src/step/b.ts', 'src/tools/c.ts']],
      ['src/step/b.ts', []],
      ['src/tools/c.ts', ['src/step/b.ts']],
      ['src/stepper.ts', ['src/step/a.ts']],
      ['src/root.ts', ['src/step/a.ts']],
    ]);
    expect(importsInto(graph, 'src/step', ['src/root.ts'])).toEqual(['src/stepper.ts → src/step/a.ts', 'src/tools/c.ts → src/step/b.ts']);
  });
});
