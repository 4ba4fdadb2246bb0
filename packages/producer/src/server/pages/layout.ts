import { CSRF_FIELD } from '../auth/csrf.js';
import type { Principal } from '../auth/principal.js';
import { html, type SafeHtml } from '../http/html.js';

export type NavItem = 'sessions' | 'approvals' | 'stats' | 'queues';

/** What every authenticated page needs besides its own data. */
export interface PageContext {
  principal: Principal;
  /** The CSRF token every form of the page posts back in `_csrf`. */
  csrfToken: string;
  /** Pending approvals, for the nav badge. */
  pendingApprovals: number;
  /** Whether a login exists to log out of. */
  canLogout: boolean;
}

export interface Notice {
  kind: 'ok' | 'bad';
  text: string;
}

/** The hidden field that carries the CSRF token in a form. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrfToken}" />`;
}

export function document(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · agentq</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
      </head>
      <body>
        ${body}
      </body>
    </html>`;
}

/** The page frame: skip link, top navigation with the pending-approval badge, and the main region. */
export function layout(ctx: PageContext, options: { title: string; nav?: NavItem; notice?: Notice | undefined }, content: SafeHtml): SafeHtml {
  const link = (item: NavItem, href: string, label: string, extra?: SafeHtml) =>
    html`<a href="${href}" ${options.nav === item ? html` aria-current="page"` : ''}>${label}${extra}</a>`;
  const badge = ctx.pendingApprovals > 0 ? html`<span class="badge" aria-label="${ctx.pendingApprovals} pending">${ctx.pendingApprovals}</span>` : undefined;
  return document(
    options.title,
    html`<a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href="/sessions">agent<span>q</span></a>
        <nav aria-label="Main">
          ${link('sessions', '/sessions', 'Sessions')} ${link('approvals', '/approvals', 'Approvals', badge)} ${link('stats', '/stats', 'Tool stats')}
          ${link('queues', '/queues', 'Queues')}
        </nav>
        <div class="who">
          <span>${ctx.principal.kind === 'anonymous' ? 'insecure mode' : `signed in as ${ctx.principal.name}`}</span>
          ${ctx.canLogout ? html`<form method="post" action="/logout">${csrfField(ctx)}<button class="link" type="submit">Log out</button></form>` : ''}
        </div>
      </header>
      <main id="main">${options.notice ? html`<div class="notice ${options.notice.kind}" role="status">${options.notice.text}</div>` : ''} ${content}</main>`,
  );
}
