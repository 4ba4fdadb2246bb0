import type { Stats } from '../../stats/index.js';
import { html, type SafeHtml } from '../http/html.js';
import { formatDuration, formatInt, formatPercent, formatTime, formatUsd } from './format.js';
import { layout, type PageContext } from './layout.js';

const WINDOWS = ['15m', '1h', '6h', '24h', '7d'];

/** `/stats`: per-tool calls, errors, retries and latency percentiles; per-agent outcomes and spend. */
export function statsPage(ctx: PageContext, stats: Stats, window: { label: string; agent: string | undefined }): SafeHtml {
  const card = (k: string, v: string) =>
    html`<div class="card">
      <div class="k">${k}</div>
      <div class="v">${v}</div>
    </div>`;
  const started = stats.agents.reduce((n, a) => n + a.started, 0);
  const finished = stats.agents.reduce((n, a) => n + Object.values(a.finished).reduce((x, y) => x + y, 0), 0);
  const cost = stats.agents.reduce((n, a) => n + a.costUsd, 0);
  const toolRows = stats.tools.map((t) => {
    const rate = t.calls > 0 ? t.errors / t.calls : 0;
    const codes = Object.entries(t.errorsByCode)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ×${n}`)
      .join(', ');
    return html`<tr>
      <th scope="row"><code>${t.tool}</code></th>
      <td class="num">${formatInt(t.calls)}</td>
      <td class="num">${formatInt(t.ran)}</td>
      <td class="num">${formatInt(t.errors)}</td>
      <td>
        <div class="rate">
          <div class="bar" role="img" aria-label="error rate ${formatPercent(rate)}"><span class="w${Math.min(100, Math.ceil(rate * 20) * 5)}"></span></div>
          <span class="num">${formatPercent(rate)}</span>
        </div>
      </td>
      <td class="num">${formatInt(t.retries)}</td>
      <td class="num">${formatDuration(t.p50Ms)}</td>
      <td class="num">${formatDuration(t.p95Ms)}</td>
      <td class="muted">${codes}</td>
    </tr>`;
  });
  const agentRows = stats.agents.map(
    (a) =>
      html`<tr>
        <th scope="row">${a.agent}</th>
        <td class="num">${formatInt(a.started)}</td>
        <td>
          ${Object.entries(a.finished)
            .map(([status, n]) => `${status.replace(/_/g, ' ')} ${n}`)
            .join(', ')}
        </td>
        <td class="num">${formatInt(a.steps)}</td>
        <td class="num">${formatInt(a.tokens.input)}</td>
        <td class="num">${formatInt(a.tokens.output)}</td>
        <td class="num">${formatUsd(a.costUsd)}</td>
      </tr>`,
  );
  return layout(
    ctx,
    { title: 'Tool stats', nav: 'stats' },
    html`<h1>Tool stats</h1>
      <p class="sub">
        From the event stream, ${formatTime(stats.since)} to ${formatTime(stats.until)}${stats.agent ? ` · agent ${stats.agent}` : ''}.
        ${formatInt(stats.events)} events.
      </p>
      <form class="filters" method="get" action="/stats" aria-label="Stats window">
        <label
          >Window<select name="since">
            ${[...new Set([...WINDOWS, window.label])].map((w) => html`<option value="${w}" ${w === window.label ? ' selected' : ''}>last ${w}</option>`)}
          </select></label
        >
        <label>Agent<input name="agent" value="${window.agent ?? ''}" placeholder="any" /></label>
        <button class="primary" type="submit">Show</button>
      </form>
      <section class="cards" aria-label="Totals">
        ${card('Started', formatInt(started))} ${card('Finished', formatInt(finished))} ${card('Cost', formatUsd(cost))}
        ${card('Approved / denied', `${formatInt(stats.approvals.approved)} / ${formatInt(stats.approvals.denied)}`)}
        ${card('Loops stopped', formatInt(stats.loops.detected))} ${card('Model 429s', formatInt(stats.rateLimits.model429s))}
        ${card('Queue paused', formatDuration(stats.rateLimits.pauseMs) || '0 ms')} ${card('Saved by the batch lane', formatUsd(stats.batch.savedUsd))}
      </section>
      <h2>Tools</h2>
      <div class="panel table-wrap">
        ${
          stats.tools.length === 0
            ? html`<p class="empty">No tool calls in this window.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Tool</th>
                    <th scope="col" class="num">Calls</th>
                    <th scope="col" class="num">Ran</th>
                    <th scope="col" class="num">Errors</th>
                    <th scope="col">Error rate</th>
                    <th scope="col" class="num">Retries</th>
                    <th scope="col" class="num">p50</th>
                    <th scope="col" class="num">p95</th>
                    <th scope="col">Errors by code</th>
                  </tr>
                </thead>
                <tbody>
                  ${toolRows}
                </tbody>
              </table>`
        }
      </div>
      <h2>Agents</h2>
      <div class="panel table-wrap">
        ${
          stats.agents.length === 0
            ? html`<p class="empty">No agent activity in this window.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col" class="num">Started</th>
                    <th scope="col">Finished</th>
                    <th scope="col" class="num">Model calls</th>
                    <th scope="col" class="num">Input tokens</th>
                    <th scope="col" class="num">Output tokens</th>
                    <th scope="col" class="num">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  ${agentRows}
                </tbody>
              </table>`
        }
      </div>`,
  );
}
