import type { Approval } from '@agentq/shared';
import { html, type SafeHtml } from '../http/html.js';
import { approvalCard } from './approval-card.js';
import { layout, type Notice, type PageContext } from './layout.js';

/** `/approvals`: every pending approval, soonest expiry first, each with approve and deny. */
export function approvalsPage(ctx: PageContext, approvals: Approval[], notice?: Notice): SafeHtml {
  return layout(
    ctx,
    { title: 'Approvals', nav: 'approvals', notice },
    html`<h1>Pending approvals</h1>
      <p class="sub">
        Tool calls above their session's <code>maxAutoRisk</code>. The session is parked (no worker waits) until every call of its step is decided; an approval
        not decided before it expires is denied with reason <code>timeout</code>.
      </p>
      <section class="panel" aria-label="Pending approvals">
        ${approvals.length === 0 ? html`<p class="empty">Nothing waits for a decision.</p>` : approvals.map((a) => approvalCard(ctx, a, { returnTo: '/approvals', showSession: true }))}
      </section>`,
  );
}
