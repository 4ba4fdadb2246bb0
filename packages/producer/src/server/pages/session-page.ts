import { type Approval, isTerminal, type Session } from '@agentq/shared';
import type { Timeline } from '../../replay/index.js';
import { html, type SafeHtml } from '../http/html.js';
import { approvalCard } from './approval-card.js';
import { formatDuration, formatInt, formatTime, formatUsd, statusPill } from './format.js';
import { csrfField, layout, type Notice, type PageContext } from './layout.js';
import { stepView } from './timeline-view.js';

/** `/sessions/:id`: the record, pending approvals with their forms, the final result and the step timeline. */
export function sessionPage(ctx: PageContext, session: Session, timeline: Timeline, approvals: Approval[], notice?: Notice): SafeHtml {
  const path = `/sessions/${encodeURIComponent(session.sessionId)}`;
  const u = session.usage;
  const card = (k: string, v: SafeHtml | string) =>
    html`<div class="card">
      <div class="k">${k}</div>
      <div class="v">${v}</div>
    </div>`;
  const cancel = isTerminal(session.status)
    ? ''
    : html`<form method="post" action="/api${path}/cancel">
        ${csrfField(ctx)}<input type="hidden" name="_next" value="${path}" /><button class="deny" type="submit" ${session.cancelRequested ? ' disabled' : ''}>
          ${session.cancelRequested ? 'Cancel requested' : 'Cancel session'}
        </button>
      </form>`;
  return layout(
    ctx,
    { title: `Session ${session.sessionId}`, nav: 'sessions', notice },
    html`<div class="title-row">
        <div>
          <h1>Session <span class="mono">${session.sessionId}</span></h1>
          <p class="sub">
            ${session.agent}${session.tenant ? ` · tenant ${session.tenant}` : ''}${session.forkedFrom ? html` · forked from <a href="/sessions/${encodeURIComponent(session.forkedFrom.sessionId)}">${session.forkedFrom.sessionId}</a> at step ${session.forkedFrom.step}` : ''}
          </p>
        </div>
        ${cancel}
      </div>
      <section class="cards" aria-label="Session summary">
        ${card('Status', statusPill(session.status))} ${card('Steps', formatInt(session.step))} ${card('Input tokens', formatInt(u.inputTokens))}
        ${card('Output tokens', formatInt(u.outputTokens))} ${card('Cost', formatUsd(u.costUsd))}
        ${card('Created (UTC)', formatTime(session.createdAt).slice(11))}
        ${card(isTerminal(session.status) ? 'Took' : 'Running for', formatDuration((isTerminal(session.status) ? session.updatedAt : Date.now()) - session.createdAt))}
      </section>
      ${
        approvals.length > 0
          ? html`<section class="panel" aria-labelledby="pending-h">
              <div class="pad"><h2 id="pending-h" class="flush">Waiting for approval</h2></div>
              ${approvals.map((a) => approvalCard(ctx, a, { returnTo: path, showSession: false }))}
            </section>`
          : ''
      }
      ${session.error ? html`<div class="notice bad" role="alert"><strong>${session.error.code}</strong>: ${session.error.message}</div>` : ''}
      ${
        session.output !== undefined
          ? html`<h2>Final answer</h2>
              <section class="panel final"><pre>${session.output}</pre></section>`
          : ''
      }
      <details class="panel final">
        <summary>Task input</summary>
        <pre>${session.input}</pre>
      </details>
      <h2>Timeline <span class="muted">(${timeline.steps.length} step${timeline.steps.length === 1 ? '' : 's'}, ${timeline.events} events)</span></h2>
      ${
        timeline.steps.length === 0
          ? html`<p class="muted">No events yet.</p>`
          : html`<ol class="timeline">
              ${timeline.steps.map(stepView)}
            </ol>`
      }`,
  );
}
