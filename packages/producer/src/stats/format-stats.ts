import type { Stats } from './compute-stats.js';

function table(rows: string[][]): string[] {
  if (rows.length <= 1) return [...rows.map((r) => r.join('  ')), '(none)'];
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd(),
  );
}

const codes = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}:${v}`)
    .join(' ') || '-';

/** Stats as text tables for a terminal. */
export function formatStats(stats: Stats): string {
  const out: string[] = [
    `window   ${new Date(stats.since).toISOString()} .. ${new Date(stats.until).toISOString()}${stats.agent ? `   agent ${stats.agent}` : ''}   (${stats.events} events)`,
    '',
    'AGENTS',
    ...table([
      ['agent', 'started', 'finished', 'steps', 'tokens in', 'tokens out', 'cost usd'],
      ...stats.agents.map((a) => [
        a.agent,
        String(a.started),
        codes(a.finished),
        String(a.steps),
        String(a.tokens.input),
        String(a.tokens.output),
        a.costUsd.toFixed(6),
      ]),
    ]),
    '',
    'TOOLS',
    ...table([
      ['tool', 'calls', 'ran', 'errors', 'by class', 'retries', 'p50 ms', 'p95 ms'],
      ...stats.tools.map((t) => [
        t.tool,
        String(t.calls),
        String(t.ran),
        String(t.errors),
        codes(t.errorsByCode),
        String(t.retries),
        String(t.p50Ms ?? '-'),
        String(t.p95Ms ?? '-'),
      ]),
    ]),
    '',
    `loops        warnings ${stats.loops.warnings}   detected ${stats.loops.detected}`,
    `budgets      warnings ${stats.budgets.warnings}   stops ${codes(stats.budgets.stops)}`,
    `approvals    requested ${stats.approvals.requested}   approved ${stats.approvals.approved}   denied ${stats.approvals.denied}   timed out ${stats.approvals.timedOut}`,
    `rate limits  429s ${stats.rateLimits.model429s}   queue pauses ${stats.rateLimits.pauses} (${stats.rateLimits.pauseMs}ms)   governor waits ${stats.rateLimits.governorWaits} (${stats.rateLimits.governorWaitMs}ms)`,
    `model errors ${codes(stats.modelErrors)}`,
    `batch lane   calls ${stats.batch.calls}   cost usd ${stats.batch.costUsd.toFixed(6)}   saved usd ${stats.batch.savedUsd.toFixed(6)}`,
    `stale jobs   ${stats.stale}`,
  ];
  return out.join('\n');
}
