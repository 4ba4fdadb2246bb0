import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './benchmarks/index.js';

/**
 * `pnpm bench [name...]`: runs the benchmarks (all by default), prints each result as JSON and writes them
 * to bench/results/<name>.json. Every target is a ratio against a baseline measured in the same run.
 */
// Names are the bare words; `--flag value` pairs belong to the benchmarks (read from process.argv).
const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !(all[i - 1]?.startsWith('--') && !all[i - 1]?.includes('=')));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHMARKS);
// BENCH_RESULTS_DIR: somewhere else than bench/results/ (the CI run of a `--small` size writes there).
const resultsDir = process.env.BENCH_RESULTS_DIR
  ? `${process.env.BENCH_RESULTS_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const all: Record<string, unknown> = {};
for (const name of names) {
  const bench = BENCHMARKS[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`running ${name}…\n`);
  const result = { benchmark: name, command: `pnpm bench ${name}`, at: new Date().toISOString(), ...(await bench()) };
  all[name] = result;
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
process.exit(0);
