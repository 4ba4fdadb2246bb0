// Reads the vitest JSON reports `.ci/run` writes (one per Node version) and prints `<passed> <failed>`, summed
// over them. A skipped, pending or todo test counts as failed, its name printed to stderr, unless
// AGENTQ_CI_ALLOW_SKIPPED lists its file (relative to the repository root) or its full name, comma-separated.
// A report given with a label (`node24=path`) names its skips with that label. An unreadable report counts
// as one failure. Failed tests are named too, last, with the first line of their failure, so the tail of a
// CI log says which ones failed and how.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const NOT_RUN = new Set(['skipped', 'pending', 'todo', 'disabled']);
const allowed = new Set(
  (process.env.AGENTQ_CI_ALLOW_SKIPPED ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** `: <first line of the first failure message>`, colours stripped, or '' without one. */
function firstLine(messages) {
  const first = Array.isArray(messages) ? String(messages[0] ?? '') : '';
  const line = first.replace(ANSI_COLOUR, '').split('\n')[0].trim();
  return line ? `: ${line.slice(0, 300)}` : '';
}

let passed = 0;
let failed = 0;
const failedNames = [];
for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf('=');
  const label = at > 0 ? arg.slice(0, at) : '';
  const file = at > 0 ? arg.slice(at + 1) : arg;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const skipped = [];
    for (const result of report.testResults ?? []) {
      const rel = path.relative(process.cwd(), result.name);
      for (const t of result.assertionResults ?? []) {
        if (t.status === 'failed') failedNames.push(`${label ? `[${label}] ` : ''}${rel} > ${t.fullName}${firstLine(t.failureMessages)}`);
        if (NOT_RUN.has(t.status) && !allowed.has(rel) && !allowed.has(t.fullName)) skipped.push(`${label ? `[${label}] ` : ''}${rel} > ${t.fullName}`);
      }
    }
    for (const name of skipped) process.stderr.write(`skipped, not allowed by AGENTQ_CI_ALLOW_SKIPPED: ${name}\n`);
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numRuntimeErrors ?? 0) + skipped.length;
  } catch {
    process.stderr.write(`unreadable test report: ${file}\n`);
    failed += 1;
  }
}
if (process.argv.length <= 2) failed += 1;
for (const name of failedNames) process.stderr.write(`failed: ${name}\n`);
process.stdout.write(`${passed} ${failed}\n`);
