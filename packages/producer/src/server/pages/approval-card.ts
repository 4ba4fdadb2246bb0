import type { Approval } from '@agentq/shared';
import { html, type SafeHtml } from '../http/html.js';
import { formatTime, pill, prettyJson } from './format.js';
import { csrfField, type PageContext } from './layout.js';

const RISK_TONE = { safe: 'ok', low: 'info', medium: 'warn', high: 'bad' } as const;

/**
 * One pending approval with its approve and deny forms. Both post to the JSON API with the CSRF token and
 * come back to `returnTo`; deny needs a reason, which the model is shown.
 */
export function approvalCard(ctx: PageContext, approval: Approval, options: { returnTo: string; showSession: boolean }): SafeHtml {
  const id = encodeURIComponent(approval.approvalId);
  const hidden = html`${csrfField(ctx)}<input type="hidden" name="_next" value="${options.returnTo}" />`;
  return html`<article class="approval" aria-labelledby="approval-${approval.approvalId}">
    <div class="head">
      <h3 id="approval-${approval.approvalId}"><code>${approval.tool}</code></h3>
      ${pill(`risk ${approval.risk}`, RISK_TONE[approval.risk])}
      ${options.showSession ? html`<span>session <a class="mono" href="/sessions/${encodeURIComponent(approval.sessionId)}">${approval.sessionId}</a></span>` : ''}
      <span class="muted">step ${approval.step} · ${approval.agent}${approval.tenant ? ` · tenant ${approval.tenant}` : ''}</span>
    </div>
    <p class="why">${approval.reason.replace(/\.?$/, '.')}</p>
    <p class="muted why">Requested ${formatTime(approval.requestedAt)} · expires ${formatTime(approval.expiresAt)}</p>
    <details open>
      <summary>Input</summary>
      <pre>${prettyJson(approval.input)}</pre>
    </details>
    <div class="actions">
      <form method="post" action="/api/approvals/${id}/approve">${hidden}<button class="approve" type="submit">Approve</button></form>
      <form method="post" action="/api/approvals/${id}/deny">
        ${hidden}
        <label>Reason for denying<input name="reason" required maxlength="1000" placeholder="shown to the model" /></label>
        <button class="deny" type="submit">Deny</button>
      </form>
    </div>
  </article>`;
}
