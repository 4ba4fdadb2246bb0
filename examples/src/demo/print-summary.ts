import type { Approval, SessionResult } from '@agentq/shared';
import type { Decision } from './operator-policy.js';

export interface SummaryInput {
  results: SessionResult[];
  scenarioOf: Map<string, string>;
  decisions: Array<Decision & { approval: Approval }>;
  wallMs: number;
  queueName: string;
}

/** The table a user reads at the end of `pnpm demo`. */
export function printSummary({ results, scenarioOf, decisions, wallMs }: SummaryInput): void {
  const out: string[] = [''];
  const rows = results.map((r) => ({
    scenario: scenarioOf.get(r.sessionId) ?? '',
    status: r.status,
    steps: String(r.steps),
    tokens: String(r.usage.inputTokens + r.usage.outputTokens),
    note: r.error ? `${r.error.code}` : decisionNote(r.sessionId, decisions),
  }));
  const cols = ['scenario', 'status', 'steps', 'tokens', 'note'] as const;
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ')}`;
  out.push(line([...cols]), line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out.push(line(cols.map((c) => row[c])));

  const byStatus = new Map<string, number>();
  for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const steps = results.reduce((n, r) => n + r.steps, 0);
  const input = results.reduce((n, r) => n + r.usage.inputTokens, 0);
  const output = results.reduce((n, r) => n + r.usage.outputTokens, 0);
  const cacheRead = results.reduce((n, r) => n + r.usage.cacheReadTokens, 0);
  const cost = results.reduce((n, r) => n + r.usage.costUsd, 0);
  const approved = decisions.filter((d) => d.approve).length;
  out.push(
    '',
    `  sessions   ${results.length}: ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`,
    `  steps      ${steps}`,
    `  tokens     ${input} in (${cacheRead} from cache), ${output} out, $${cost.toFixed(4)} at list prices`,
    `  approvals  ${decisions.length} decided by the operator: ${approved} approved, ${decisions.length - approved} denied, 0 timed out`,
    `  wall time  ${(wallMs / 1000).toFixed(1)}s`,
    '',
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

function decisionNote(sessionId: string, decisions: Array<Decision & { approval: Approval }>): string {
  const mine = decisions.filter((d) => d.approval.sessionId === sessionId);
  return mine.map((d) => `${d.approval.tool} ${d.approve ? 'approved' : 'denied'}`).join(', ');
}
