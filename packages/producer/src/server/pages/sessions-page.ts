import { type Session, SessionStatus } from '@agentq/shared';
import type { SessionFilters } from '../api/session-filters.js';
import { html, type SafeHtml } from '../http/html.js';
import { formatInt, formatTime, formatUsd, statusPill } from './format.js';
import { layout, type Notice, type PageContext } from './layout.js';

/** `/sessions`: newest first, filtered by status, agent and tenant, with counts per status. */
export function sessionsPage(ctx: PageContext, sessions: Session[], filters: SessionFilters, notice?: Notice): SafeHtml {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const cost = sessions.reduce((sum, s) => sum + s.usage.costUsd, 0);
  const tokens = sessions.reduce((sum, s) => sum + s.usage.inputTokens + s.usage.outputTokens, 0);
  const agents = [...new Set(sessions.map((s) => s.agent))].sort();
  const tenants = [...new Set(sessions.flatMap((s) => (s.tenant ? [s.tenant] : [])))].sort();
  const card = (k: string, v: string) =>
    html`<div class="card">
      <div class="k">${k}</div>
      <div class="v">${v}</div>
    </div>`;
  const filtered = filters.status || filters.agent || filters.tenant;

  const rows = sessions.map(
    (s) =>
      html`<tr>
        <td><a class="mono" href="/sessions/${encodeURIComponent(s.sessionId)}">${s.sessionId}</a></td>
        <td>${s.agent}</td>
        <td>${s.tenant ?? html`<span class="muted">—</span>`}</td>
        <td>${statusPill(s.status)}${s.cancelRequested && s.status === 'running' ? html` <span class="pill idle">cancelling</span>` : ''}</td>
        <td class="num">${s.step}</td>
        <td class="num">${formatInt(s.usage.inputTokens + s.usage.outputTokens)}</td>
        <td class="num">${formatUsd(s.usage.costUsd)}</td>
        <td>${s.error ? html`<code>${s.error.code}</code>` : ''}</td>
        <td class="mono">${formatTime(s.createdAt)}</td>
      </tr>`,
  );

  return layout(
    ctx,
    { title: 'Sessions', nav: 'sessions', notice },
    html`<h1>Sessions</h1>
      <p class="sub">Newest first. ${sessions.length === filters.limit ? `Showing the latest ${filters.limit}.` : `${sessions.length} shown.`}</p>
      <section class="cards" aria-label="Totals of the sessions shown">
        ${card('Shown', formatInt(sessions.length))} ${card('Running', formatInt((counts.get('running') ?? 0) + (counts.get('queued') ?? 0)))}
        ${card('Parked', formatInt(counts.get('awaiting_approval') ?? 0))} ${card('Completed', formatInt(counts.get('completed') ?? 0))}
        ${card('Failed', formatInt((counts.get('failed') ?? 0) + (counts.get('loop_detected') ?? 0) + (counts.get('budget_exceeded') ?? 0)))}
        ${card('Tokens', formatInt(tokens))} ${card('Cost', formatUsd(cost))}
      </section>
      <form class="filters" method="get" action="/sessions" role="search" aria-label="Filter sessions">
        <label
          >Status
          <select name="status">
            <option value="">any</option>
            ${SessionStatus.options.map((s) => html`<option value="${s}" ${filters.status === s ? ' selected' : ''}>${s.replace(/_/g, ' ')}</option>`)}
          </select>
        </label>
        <label>Agent<input name="agent" value="${filters.agent ?? ''}" list="agents" placeholder="any" /></label>
        <label>Tenant<input name="tenant" value="${filters.tenant ?? ''}" list="tenants" placeholder="any" /></label>
        <datalist id="agents">${agents.map((a) => html`<option value="${a}"></option>`)}</datalist>
        <datalist id="tenants">${tenants.map((t) => html`<option value="${t}"></option>`)}</datalist>
        <button class="primary" type="submit">Filter</button>
        ${filtered ? html`<a class="button" href="/sessions">Clear</a>` : ''}
      </form>
      <div class="panel table-wrap">
        ${
          sessions.length === 0
            ? html`<p class="empty">No sessions${filtered ? ' match these filters' : ' yet'}.</p>`
            : html`<table>
                <caption class="skip">
                  Sessions
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Tenant</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">Steps</th>
                    <th scope="col" class="num">Tokens</th>
                    <th scope="col" class="num">Cost</th>
                    <th scope="col">Error</th>
                    <th scope="col">Created (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>`
        }
      </div>`,
  );
}
