/**
 * `node bench/dist/durability/profile-top.js <file.cpuprofile> [n]`: the functions with the most self time in
 * a V8 CPU profile (as written by `node --cpu-prof`), with their share of all samples.
 *
 * `node bench/dist/durability/profile-top.js <file.cpuprofile> --packages <steps>`: self time by part (the
 * Redis clients, agentq, the SDK, garbage collection, …) in ms per step, for a profile of a process that ran
 * `<steps>` steps (a durability chain's warm-up included: about 1,000 more than its shape).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

const NATIVE_WRITES = new Set(['writeUtf8String', 'writeBuffer', 'utf8Write', 'writev', 'writeLatin1String']);

/** The part of the process a profile node's self time belongs to. */
function partOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (!url && NATIVE_WRITES.has(functionName)) return 'socket writes (native)';
  if (/ioredis\/built|\/bullmq\/|msgpackr|denque|standard-as-callback/.test(url)) return 'ioredis + BullMQ';
  if (/\/packages\/(worker|shared|producer)\//.test(url)) return 'agentq (worker, shared)';
  if (/anthropic-ai\/sdk|undici/.test(url)) return 'SDK + undici';
  if (/\/zod\//.test(url)) return 'zod';
  if (/modules\/|loader/.test(url) || functionName === 'compileSourceTextModule' || functionName === 'wrapSafe') return 'module loading';
  if (/\/bench\//.test(url)) return 'bench (instant model, command counter)';
  return 'other (Node, microtasks, …)';
}

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-top <file.cpuprofile> [n] | --packages <steps>\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
if (rest[0] === '--packages') {
  const steps = Number(rest[1]);
  if (!(steps > 0)) {
    process.stderr.write('--packages needs the number of steps the process ran\n');
    process.exit(2);
  }
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const parts = new Map<string, number>();
  for (const node of profile.nodes) {
    const part = partOf(node.callFrame);
    parts.set(part, (parts.get(part) ?? 0) + (node.hitCount ?? 0) * msPerSample);
  }
  let busy = 0;
  for (const [part, ms] of [...parts].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(`${(ms / steps).toFixed(3).padStart(7)} ms/step  ${part}\n`);
    if (part !== 'idle' && part !== 'module loading') busy += ms;
  }
  process.stdout.write(`${(busy / steps).toFixed(3).padStart(7)} ms/step  all but idle and module loading\n`);
} else {
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
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(rest[0] ?? 15));
  for (const [name, hits] of top) process.stdout.write(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}\n`);
}
