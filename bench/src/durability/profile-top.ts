/**
 * `node bench/dist/durability/profile-top.js <file.cpuprofile> [n]`: the functions with the most self time in
 * a V8 CPU profile (as written by `node --cpu-prof`), with their share of all samples.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, countArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [n]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const self = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^file:\/\/.*\/(packages|bench)\//, '$1/')}:${lineNumber + 1}`
    : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
}
const total = profile.samples.length || 1;
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 15));
for (const [name, hits] of top) process.stdout.write(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}\n`);
