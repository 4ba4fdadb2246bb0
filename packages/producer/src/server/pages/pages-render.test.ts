import type { Session } from '@agentq/shared';
import { describe, expect, test } from 'vitest';
import { parseStatsQuery } from '../api/stats-window.js';
import { resolveAuth } from '../auth/dashboard-auth.js';
import { safeNext } from '../auth/login-routes.js';
import { issueSession, verifySession } from '../auth/session-cookie.js';
import { html, raw } from '../http/html.js';
import type { PageContext } from './layout.js';
import { sessionsPage } from './sessions-page.js';

const XSS = '<img src=x onerror=alert(1)>"\'&';
const ctx: PageContext = { principal: { kind: 'cookie', name: XSS, csrfSubject: 's' }, csrfToken: 'tok"en', pendingApprovals: 2, canLogout: true };

function session(overrides: Partial<Session> = {}): Session {
  return {
    sessionId: 'ses_1',
    agent: 'support',
    status: 'completed',
    step: 2,
    input: 'task',
    metadata: {},
    limits: {},
    createdAt: 0,
    updatedAt: 1000,
    usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.001 },
    ...overrides,
  };
}

describe('server-rendered pages', () => {
  test('every value from Redis or the request is escaped; only nested html is kept as markup', () => {
    expect(html`<p>${XSS}</p>`.value).toBe('<p>&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;</p>');
    expect(html`<p>${html`<b>${'<i>'}</b>`}${raw('<br>')}${[1, 2]}${undefined}${false}</p>`.value).toBe('<p><b>&lt;i&gt;</b><br>12</p>');
    const page = sessionsPage(ctx, [session({ tenant: XSS, agent: XSS, sessionId: `ses_${XSS}` })], { limit: 100, tenant: XSS }).value;
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('value="tok&quot;en"');
    expect(page).not.toContain('<script');
  });
});

describe('login cookies and redirects', () => {
  const auth = resolveAuth({ token: 'a-token-of-sixteen-chars', sessionTtlMs: 1000 });

  test('a session cookie verifies until it expires, and a tampered or differently keyed one never does', () => {
    const { value } = issueSession(auth, 'alice', 0);
    expect(verifySession(auth, value, 500)?.name).toBe('alice');
    expect(verifySession(auth, value, 1000)).toBeUndefined();
    const [body, mac] = value.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), exp: 9e15 })).toString('base64url');
    expect(verifySession(auth, `${forged}.${mac}`, 500)).toBeUndefined();
    expect(verifySession(resolveAuth({ token: 'another-token-of-16-chars', sessionTtlMs: 1000 }), value, 500)).toBeUndefined();
    expect(verifySession(auth, 'garbage', 500)).toBeUndefined();
  });

  test('the post-login redirect stays on this site', () => {
    const cases = ['/sessions/x?y=1', '//evil.example', '/\\evil.example', 'https://evil.example', 42, undefined];
    expect(cases.map(safeNext)).toEqual(['/sessions/x?y=1', '/sessions', '/sessions', '/sessions', '/sessions', '/sessions']);
  });

  test('?since= reads durations, epoch milliseconds and ISO times, and rejects anything else', () => {
    const now = 10_000_000_000_000;
    expect(parseStatsQuery({ since: '1h' }, now).since).toBe(now - 3_600_000);
    expect(parseStatsQuery({}, now).since).toBe(now - 86_400_000);
    expect(parseStatsQuery({ since: '1700000000000' }, now).since).toBe(1_700_000_000_000);
    expect(parseStatsQuery({ since: '2026-01-01T00:00:00Z' }, now).since).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(() => parseStatsQuery({ since: 'yesterday' }, now)).toThrow(/since/);
  });
});
