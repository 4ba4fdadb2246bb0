import type { ResolvedAuth } from '../auth/dashboard-auth.js';
import { MAX_NAME_LENGTH } from '../auth/session-cookie.js';
import { html, type SafeHtml } from '../http/html.js';
import { document } from './layout.js';

/** The login form: the token, or user and password, whichever the server was configured with. */
export function loginPage(auth: ResolvedAuth, options: { next: string; error?: string }): SafeHtml {
  const tokenFields = auth.token
    ? html`<label>Dashboard token<input type="password" name="token" autocomplete="current-password" ${auth.basic ? '' : 'required'} autofocus /></label>
        <label
          >Your name <span class="muted">(recorded on approval decisions)</span
          ><input type="text" name="name" maxlength="${MAX_NAME_LENGTH}" autocomplete="name"
        /></label>`
    : '';
  const basicFields = auth.basic
    ? html`${auth.token ? html`<p class="muted">or</p>` : ''}
        <label>User<input type="text" name="user" autocomplete="username" ${auth.token ? '' : html`required autofocus`} /></label>
        <label>Password<input type="password" name="password" autocomplete="current-password" ${auth.token ? '' : 'required'} /></label>`
    : '';
  return document(
    'Log in',
    html`<main id="main" class="login">
      <div class="panel">
        <div class="pad">
          <h1 class="brand-title">agent<span>q</span> dashboard</h1>
          <p class="sub">Authentication required.</p>
          ${options.error ? html`<div class="notice bad" role="alert">${options.error}</div>` : ''}
          <form method="post" action="/login">
            <input type="hidden" name="next" value="${options.next}" />
            ${tokenFields} ${basicFields}
            <button class="primary" type="submit">Log in</button>
          </form>
        </div>
      </div>
    </main>`,
  );
}
