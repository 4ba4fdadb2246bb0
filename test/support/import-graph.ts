import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The repository's TypeScript sources (no build output), as paths relative to `root`; tests only with
 * `{ tests: true }`.
 */
export function sourceFiles(root: string, dirs: string[], options: { tests?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && (options.tests || !entry.name.endsWith('.test.ts')) && !entry.name.endsWith('.d.ts'))
        out.push(relative(root, path));
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(join(root, dir));
  return out.sort();
}

/** Each file's relative imports (type-only ones too: a type cycle is a cycle), resolved to the files they name. */
export function importGraph(root: string, files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((ref) => ref.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(root, resolve(root, dirname(file), spec.replace(/\.js$/, '.ts'))))
      .filter((target) => existsSync(join(root, target)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components of more than one file (or a file importing itself): every import cycle. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, indexOf.get(next) as number));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return cycles;
}

/**
 * Imports into `folder` from files outside it, except from the `allowed` files: each as `file → target`.
 * A hub folder that only its composition root may import keeps every other folder free of it.
 */
export function importsInto(graph: Map<string, string[]>, folder: string, allowed: readonly string[]): string[] {
  const inside = (file: string) => file.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
  const out: string[] = [];
  for (const [file, targets] of graph) {
    if (inside(file) || allowed.includes(file)) continue;
    for (const target of targets) if (inside(target)) out.push(`${file} → ${target}`);
  }
  return out.sort();
}
