import type { TimelineDecision, TimelineModelCall, TimelineStep, TimelineToolCall } from '../../replay/index.js';
import { html, type SafeHtml } from '../http/html.js';
import { formatDuration, formatInt, formatTime, formatUsd, oneLine, pill, prettyJson } from './format.js';

type Kind = 'model' | 'tool' | 'decision' | 'error' | 'other';

const DECISION_KIND: Partial<Record<TimelineDecision['type'], Kind>> = {
  approval_requested: 'decision',
  approval_decided: 'decision',
  loop_warning: 'decision',
  budget_warning: 'decision',
  loop_detected: 'error',
  budget_exceeded: 'error',
  model_error: 'error',
  session_failed: 'error',
  tool_outcome_unknown: 'error',
  circuit_opened: 'error',
  job_invalid: 'error',
};

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function entry(kind: Kind, label: string, at: number, body: SafeHtml): SafeHtml {
  return html`<li class="entry">
    <span class="kind ${kind}">${label}</span>
    <div>${body}</div>
    <time class="when" datetime="${new Date(at).toISOString()}">${clock(at)}</time>
  </li>`;
}

function modelEntry(model: TimelineModelCall): SafeHtml {
  const u = model.usage;
  const parts = [
    model.latencyMs !== undefined ? formatDuration(model.latencyMs) : undefined,
    model.stopReason ? `stop: ${model.stopReason}` : undefined,
    u ? `${formatInt(u.inputTokens ?? 0)} in / ${formatInt(u.outputTokens ?? 0)} out tokens` : undefined,
    u?.cacheReadTokens ? `${formatInt(u.cacheReadTokens)} cache read` : undefined,
    u?.costUsd !== undefined ? formatUsd(u.costUsd) : undefined,
  ].filter((p): p is string => p !== undefined);
  return entry('model', 'model', model.at, html`<p><code>${model.model}</code> <span class="muted">${parts.join(' · ')}</span></p>`);
}

function toolEntry(call: TimelineToolCall): SafeHtml {
  const status = !call.ran
    ? pill(call.errorCode ? `not run: ${call.errorCode}` : 'not run', 'warn')
    : call.isError
      ? pill(call.errorCode ?? 'error', 'bad')
      : pill('ok', 'ok');
  const meta = [
    call.durationMs !== undefined ? formatDuration(call.durationMs) : undefined,
    call.attempts && call.attempts > 1 ? `${call.attempts} attempts` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  return entry(
    'tool',
    'tool',
    call.at,
    html`<p><code>${call.tool}</code> ${status} <span class="muted">${meta}</span></p>
      <p class="muted mono">${oneLine(call.input ?? {}, 140)}</p>
      <details>
        <summary>Input and result</summary>
        <span class="io-label">Input</span>
        <pre>${prettyJson(call.input ?? {})}</pre>
        <span class="io-label">Result</span
        >${call.result !== undefined ? html`<pre>${prettyJson(call.result)}</pre>` : html`<p class="muted">No result recorded.</p>`}
      </details>`,
  );
}

/** A one-line reading of a decision event; the full data stays one click away. */
export function decisionText(decision: TimelineDecision): string {
  switch (decision.type) {
    case 'approval_requested': {
      const d = decision.data;
      return `${d.tool} (risk ${d.risk}) waits for approval${d.reason ? `: ${d.reason}` : ''}`;
    }
    case 'approval_decided': {
      const d = decision.data;
      return `${d.tool} ${d.decision} by ${d.by}${d.reason ? `: ${d.reason}` : ''}`;
    }
    case 'session_completed':
    case 'session_failed':
    case 'session_cancelled': {
      const { status, error, reason } = decision.data;
      return `${status ?? decision.type.replace('session_', '')}${error ? ` · ${error.code}: ${oneLine(error.message, 160)}` : ''}${reason ? ` · ${reason}` : ''}`;
    }
    case 'model_error': {
      const d = decision.data;
      return `${d.code}${d.status ? ` (HTTP ${d.status})` : ''} ${oneLine(d.message, 160)}`;
    }
    case 'rate_limit_pause':
      return `queue paused ${formatDuration(decision.data.pauseMs)}${decision.data.reason ? ` · ${decision.data.reason}` : ''}`;
    default:
      return oneLine(decision.data, 160);
  }
}

function decisionEntry(decision: TimelineDecision): SafeHtml {
  const kind = DECISION_KIND[decision.type] ?? 'other';
  return entry(
    kind,
    decision.type.replace(/_/g, ' '),
    decision.at,
    html`<p>${decisionText(decision)}</p>
      <details>
        <summary>Event data</summary>
        <pre>${prettyJson(decision.data)}</pre>
      </details>`,
  );
}

/** One step: its model call, then its tool calls and decisions in time order. */
export function stepView(step: TimelineStep): SafeHtml {
  const items: Array<{ at: number; view: SafeHtml }> = [
    ...(step.model ? [{ at: step.model.at, view: modelEntry(step.model) }] : []),
    ...step.tools.map((t) => ({ at: t.at, view: toolEntry(t) })),
    ...step.decisions.map((d) => ({ at: d.at, view: decisionEntry(d) })),
  ].sort((a, b) => a.at - b.at);
  const meta = [formatTime(step.startedAt), formatDuration(step.durationMs), step.attempts > 1 ? `${step.attempts} jobs` : undefined]
    .filter(Boolean)
    .join(' · ');
  return html`<li class="step">
    <header>
      <h3>Step ${step.step}</h3>
      ${step.model ? html`<span class="muted">${step.tools.length} tool call${step.tools.length === 1 ? '' : 's'}</span>` : ''}<span class="meta">${meta}</span>
    </header>
    <ol class="entries">
      ${items.map((i) => i.view)}
    </ol>
  </li>`;
}
