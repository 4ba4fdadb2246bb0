// Reads the vitest JSON report `.ci/run` writes and prints `<passed> <failed>`. A skipped, pending or todo
// test counts as failed, its name printed to stderr, unless AGENTQ_CI_ALLOW_SKIPPED lists its file (relative
// to the repository root) or its full name, comma-separated. An unreadable report counts as one failure.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const NOT_RUN = new Set(['skipped', 'pending', 'todo', 'disabled']);

try {
  const report = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
  const allowed = new Set((process.env.AGENTQ_CI_ALLOW_SKIPPED ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const skipped = [];
  for (const file of report.testResults ?? []) {
    const rel = path.relative(process.cwd(), file.name);
    for (const t of file.assertionResults ?? []) {
      if (NOT_RUN.has(t.status) && !allowed.has(rel) && !allowed.has(t.fullName)) skipped.push(`${rel} > ${t.fullName}`);
    }
  }
  for (const name of skipped) process.stderr.write(`skipped, not allowed by AGENTQ_CI_ALLOW_SKIPPED: ${name}\n`);
  process.stdout.write(`${report.numPassedTests} ${report.numFailedTests + (report.numRuntimeErrors ?? 0) + skipped.length}\n`);
} catch {
  process.stdout.write('0 1\n');
}
