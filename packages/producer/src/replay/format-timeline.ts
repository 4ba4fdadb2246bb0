import type { Timeline, TimelineDecision } from './timeline.js';

const MAX_CELL = 100;

function short(value: unknown, max = MAX_CELL): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function decisionText(decision: TimelineDecision): string {
  switch (decision.type) {
    case 'approval_requested':
      return `${decision.data.tool} (risk ${decision.data.risk}) waits for approval ${decision.data.approvalId}`;
    case 'approval_decided': {
      const d = decision.data;
      return `${d.decision} by ${d.by}${d.reason ? `: ${d.reason}` : ''}`;
    }
    case 'session_completed':
    case 'session_failed':
    case 'session_cancelled': {
      const { status, error } = decision.data;
      return `${String(status)}${error ? ` ${error.code}: ${short(error.message, 80)}` : ''}`;
    }
    case 'model_error': {
      const d = decision.data;
      return `${d.code} (HTTP ${String(d.status ?? '-')}) ${short(d.message, 80)}`;
    }
    case 'rate_limit_pause':
      return `queue paused ${decision.data.pauseMs}ms`;
    default:
      return short(decision.data);
  }
}

/** The timeline as an aligned text table for a terminal: one row per model call, tool call and decision. */
export function formatTimeline(timeline: Timeline): string {
  const f = timeline.final;
  const header = [
    `session  ${timeline.sessionId}   agent ${timeline.agent}${timeline.tenant ? `   tenant ${timeline.tenant}` : ''}`,
    ...(timeline.forkedFrom
      ? [`forked   from ${timeline.forkedFrom.sessionId} at step ${timeline.forkedFrom.step} (earlier steps are in that session's replay)`]
      : []),
    `final    ${f.status} after ${f.steps} steps   tokens in ${f.usage.inputTokens} out ${f.usage.outputTokens}   cost $${f.usage.costUsd.toFixed(6)}`,
    ...(f.error ? [`error    ${f.error.code}: ${f.error.message}`] : []),
    ...(f.output !== null ? [`output   ${short(f.output, 200)}`] : []),
    '',
  ];
  const rows: string[][] = [];
  for (const step of timeline.steps) {
    // Rows within a step in time order: a decision (e.g. an approval) can come before a tool call's result.
    const entries: Array<{ at: number; kind: string; detail: string }> = [];
    if (step.attempts > 1) entries.push({ at: step.startedAt, kind: 'attempts', detail: `${step.attempts} jobs ran this step` });
    if (step.model) {
      const u = step.model.usage;
      entries.push({
        at: step.model.at,
        kind: 'model',
        detail: `${step.model.model} ${step.model.latencyMs ?? '?'}ms stop=${step.model.stopReason ?? '-'}${u ? ` in=${u.inputTokens ?? 0} out=${u.outputTokens ?? 0} $${(u.costUsd ?? 0).toFixed(6)}` : ''}`,
      });
    }
    for (const call of step.tools) {
      const status = call.isError ? `ERROR ${call.errorCode ?? ''}`.trim() : 'ok';
      const timing = call.ran ? `${call.durationMs ?? '?'}ms x${call.attempts ?? 1}` : 'not run';
      entries.push({
        at: call.at,
        kind: `tool ${call.tool}`,
        detail: `${short(call.input ?? {}, 60)} -> ${short(call.result ?? '', 60)} [${status}, ${timing}]`,
      });
    }
    for (const decision of step.decisions) entries.push({ at: decision.at, kind: decision.type, detail: decisionText(decision) });
    if (entries.length === 0) entries.push({ at: step.startedAt, kind: 'step', detail: '(no model call recorded)' });
    // Array#sort is stable: rows of the same millisecond keep the order above (model, tools, decisions).
    entries.sort((a, b) => a.at - b.at);
    entries.forEach((e, k) => rows.push([k === 0 ? String(step.step) : '', clock(e.at), e.kind, e.detail]));
  }
  const head = ['STEP', 'TIME', 'WHAT', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  return [...header, line(head), line(widths.map((w) => '-'.repeat(Math.min(w, 40)))), ...rows.map(line)].join('\n');
}
