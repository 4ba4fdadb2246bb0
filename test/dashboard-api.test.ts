import { request } from 'node:http';
import { AgentqError } from '@agentq/shared';
import { type Dashboard, startDashboard } from '@agentq/producer';
import { describe, expect, test } from './support/fixtures.js';
import { lookupTask, parkedSession, refundAgent } from './support/dashboard-fixture.js';
import { startHarness } from './support/harness.js';

const TOKEN = 'dashboard-test-token-0123456789';
const USER = 'ops';
const PASSWORD = 'correct horse battery';
const bearer = { authorization: `Bearer ${TOKEN}` };
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

async function call(d: Dashboard, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${d.url}${path}`, { redirect: 'manual', ...init });
  const text = await res.text();
  let body: unknown = text;
  if (res.headers.get('content-type')?.includes('json')) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}
/** fetch will not send a Host header of the caller's choosing; node:http does. */
function statusWithHost(d: Dashboard, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${d.url}${path}`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;
const json = (headers: Record<string, string>, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('dashboard HTTP API, auth and CSRF', () => {
  test('refuses to start without credentials unless insecure; rejects a short token and a user without a password', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()], workers: 0 });
    try {
      const refusals: string[] = [];
      for (const auth of [{}, { token: 'short' }, { user: 'ops' }, { password: 'x' }]) {
        await startDashboard({ producer: h.producer, port: 0, auth }).then(
          (d) => d.close(),
          (error: unknown) => refusals.push(AgentqError.isInstance(error) ? error.code : 'other'),
        );
      }
      expect(refusals).toEqual(['config_invalid', 'config_invalid', 'config_invalid', 'config_invalid']);
      const open = await startDashboard({ producer: h.producer, port: 0, auth: { insecure: true } });
      try {
        expect((await call(open, '/api/sessions')).status).toBe(200);
        // insecure on loopback answers only to loopback Host names (DNS rebinding)
        expect(await statusWithHost(open, '/api/sessions', 'attacker.example')).toBe(403);
        expect(await statusWithHost(open, '/api/sessions', `localhost:${open.port}`)).toBe(200);
      } finally {
        await open.close();
      }
    } finally {
      await h.close();
    }
  });

  test('every route answers 401 without valid credentials, including /queues and /metrics', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()], workers: 0 });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN, user: USER, password: PASSWORD } });
    try {
      const routes: Array<[string, string]> = [
        ['GET', '/'],
        ['GET', '/sessions'],
        ['GET', '/sessions/ses_x'],
        ['GET', '/approvals'],
        ['GET', '/stats'],
        ['GET', '/queues'],
        ['GET', '/queues/api/queues'],
        ['GET', '/metrics'],
        ['GET', '/api/sessions'],
        ['GET', '/api/sessions/ses_x'],
        ['GET', '/api/approvals'],
        ['GET', '/api/stats'],
        ['POST', '/api/sessions/ses_x/cancel'],
        ['POST', '/api/approvals/a/approve'],
        ['POST', '/api/approvals/a/deny'],
        ['POST', '/logout'],
      ];
      const badCredentials: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong-token-wrong-token' },
        { authorization: `Bearer ${TOKEN}x` },
        basic(USER, 'wrong'),
        basic('root', PASSWORD),
        { cookie: 'agentq_session=forged.value' },
      ];
      let answered401 = 0;
      for (const headers of badCredentials) {
        for (const [method, path] of routes) {
          const res = await call(d, path, { method, headers });
          if (res.status === 401) answered401 += 1;
          else console.log('not 401:', method, path, res.status, headers);
        }
      }
      console.log(`401 answers: ${answered401} of ${routes.length * badCredentials.length}`);
      expect(answered401).toBe(routes.length * badCredentials.length);
      const page = await call(d, '/sessions', { headers: { accept: 'text/html' } });
      expect(String(page.body)).toContain('action="/login"');
      const api = await call(d, '/api/sessions');
      expect(codeOf(api.body)).toBe('unauthorized');
      expect(api.headers.get('www-authenticate')).toContain('Bearer');
      // the login form and its stylesheet are the only public routes
      expect((await call(d, '/login')).status).toBe(200);
      expect((await call(d, '/assets/dashboard.css')).status).toBe(200);
    } finally {
      await d.close();
      await h.close();
    }
  });

  test('bearer and basic credentials read the API; bad input is 400, unknown ids are 404, all as JSON codes', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()] });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN, user: USER, password: PASSWORD } });
    try {
      const a = await h.producer.start({ agent: 'support', input: lookupTask('A-1'), tenant: 'acme' });
      const b = await h.producer.start({ agent: 'support', input: lookupTask('B-1'), tenant: 'globex' });
      await h.producer.waitAll([a.sessionId, b.sessionId], { timeoutMs: 20_000 });

      const all = await call(d, '/api/sessions', { headers: bearer });
      expect(all.status).toBe(200);
      expect((all.body as { sessions: unknown[] }).sessions).toHaveLength(2);
      const acme = await call(d, '/api/sessions?tenant=acme&status=completed&agent=support', { headers: basic(USER, PASSWORD) });
      expect((acme.body as { sessions: Array<{ sessionId: string }> }).sessions.map((s) => s.sessionId)).toEqual([a.sessionId]);
      expect((await call(d, '/api/sessions?status=awaiting_approval', { headers: bearer })).body).toEqual({ sessions: [] });

      const one = await call(d, `/api/sessions/${a.sessionId}`, { headers: bearer });
      const detail = one.body as { session: { status: string }; timeline: { steps: Array<{ tools: Array<{ tool: string }> }>; final: { status: string } } };
      expect(detail.session.status).toBe('completed');
      expect(detail.timeline.final.status).toBe('completed');
      expect(detail.timeline.steps.flatMap((s) => s.tools.map((t) => t.tool))).toEqual(['lookup_order']);

      const errors = await Promise.all([
        call(d, '/api/sessions?status=bogus', { headers: bearer }),
        call(d, '/api/sessions?limit=0', { headers: bearer }),
        call(d, '/api/stats?since=yesterday-ish', { headers: bearer }),
        call(d, '/api/sessions/ses_missing', { headers: bearer }),
        call(d, '/api/sessions/ses_missing/cancel', { method: 'POST', headers: bearer }),
        call(d, '/api/approvals/ses_missing-s1-toolu_x/approve', json(bearer, {})),
        call(d, '/api/nothing-here', { headers: bearer }),
        call(d, '/api/approvals/x/deny', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{not json' }),
      ]);
      expect(errors.map((e) => [e.status, codeOf(e.body)])).toEqual([
        [400, 'invalid_payload'],
        [400, 'invalid_payload'],
        [400, 'invalid_payload'],
        [404, 'session_not_found'],
        [404, 'session_not_found'],
        [404, 'approval_not_found'],
        [404, 'not_found'],
        [400, 'bad_request'],
      ]);

      const stats = await call(d, '/api/stats?since=1h', { headers: bearer });
      const tools = (stats.body as { tools: Array<{ tool: string; calls: number }> }).tools;
      expect(tools.find((t) => t.tool === 'lookup_order')?.calls).toBe(2);
      const metrics = await call(d, '/metrics', { headers: bearer });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(String(metrics.body)).toMatch(/agentq_sessions\{status="completed"\} 2/);
      const queues = await call(d, '/queues/api/queues', { headers: bearer });
      expect((queues.body as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toEqual([queueName]);
      // a GET never changes state
      expect((await call(d, `/api/sessions/${a.sessionId}/cancel`, { headers: bearer })).status).toBe(404);
    } finally {
      await d.close();
      await h.close();
    }
  });

  test('approve resumes a parked session, deny needs a reason, and a second decision is 409 approval_already_decided', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const refunds: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent(refunds)] });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN, user: USER, password: PASSWORD } });
    try {
      const first = await parkedSession(h, 'R-1');
      const second = await parkedSession(h, 'R-2');
      const pending = await call(d, '/api/approvals', { headers: bearer });
      expect((pending.body as { approvals: Array<{ approvalId: string }> }).approvals.map((a) => a.approvalId).sort()).toEqual(
        [first.approvalId, second.approvalId].sort(),
      );

      const approved = await call(d, `/api/approvals/${first.approvalId}/approve`, json(bearer, { by: 'alice' }));
      expect(approved.status).toBe(200);
      expect((approved.body as { resumed: boolean; approval: { decidedBy: string } }).resumed).toBe(true);
      expect((approved.body as { approval: { decidedBy: string } }).approval.decidedBy).toBe('alice');
      const again = await call(d, `/api/approvals/${first.approvalId}/approve`, json(bearer, {}));
      expect([again.status, codeOf(again.body)]).toEqual([409, 'approval_already_decided']);

      const noReason = await call(d, `/api/approvals/${second.approvalId}/deny`, json(basic(USER, PASSWORD), { reason: '   ' }));
      expect([noReason.status, codeOf(noReason.body)]).toEqual([400, 'invalid_payload']);
      // basic auth from a non-browser client (no Origin, no Sec-Fetch-*) needs no CSRF token; `by` defaults to the user
      const denied = await call(d, `/api/approvals/${second.approvalId}/deny`, json(basic(USER, PASSWORD), { reason: 'refunds above 40 EUR need a manager' }));
      expect(denied.status).toBe(200);
      expect((denied.body as { approval: { decidedBy: string; status: string } }).approval).toMatchObject({ decidedBy: USER, status: 'denied' });
      const denyAgain = await call(d, `/api/approvals/${second.approvalId}/approve`, json(bearer, {}));
      expect([denyAgain.status, codeOf(denyAgain.body)]).toEqual([409, 'approval_already_decided']);

      const [r1, r2] = await h.producer.waitAll([first.sessionId, second.sessionId], { timeoutMs: 20_000 });
      expect([r1?.status, r2?.status]).toEqual(['completed', 'completed']);
      expect(refunds).toEqual(['R-1']);
      expect((await call(d, '/api/approvals', { headers: bearer })).body).toEqual({ approvals: [] });
    } finally {
      await d.close();
      await h.close();
    }
  });

  test('cookie logins need the CSRF token and the same origin to change state; bearer needs neither but is refused cross-origin', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()] });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
    try {
      const wrong = await call(d, '/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'nope', next: '/sessions' }),
      });
      expect(wrong.status).toBe(401);
      const openRedirect = await call(d, '/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: d.url },
        body: new URLSearchParams({ token: TOKEN, name: 'carol', next: '//evil.example/x' }),
      });
      expect(openRedirect.status).toBe(303);
      expect(openRedirect.headers.get('location')).toBe('/sessions');
      const crossSiteLogin = await call(d, '/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: new URLSearchParams({ token: TOKEN }),
      });
      expect(crossSiteLogin.status).toBe(403);

      const setCookie = openRedirect.headers.getSetCookie();
      const session = setCookie.find((c) => c.startsWith('agentq_session='));
      expect(session).toMatch(/HttpOnly/i);
      expect(session).toMatch(/SameSite=Strict/i);
      const cookie = (session as string).split(';')[0] as string;

      const page = await call(d, '/sessions', { headers: { cookie } });
      expect(page.status).toBe(200);
      const xsrf = page.headers.getSetCookie().find((c) => c.startsWith('XSRF-TOKEN=')) as string;
      expect(xsrf).not.toMatch(/HttpOnly/i);
      const csrf = decodeURIComponent((xsrf.split(';')[0] as string).slice('XSRF-TOKEN='.length));
      expect(String(page.body)).toContain(`name="_csrf" value="${csrf}"`);

      const a = await parkedSession(h, 'C-1');
      const b = await parkedSession(h, 'C-2');
      const path = `/api/sessions/${a.sessionId}/cancel`;
      const attempts = [
        // cookie without a token, from the same origin
        await call(d, path, { method: 'POST', headers: { cookie, origin: d.url } }),
        // cookie with a forged token
        await call(d, path, { method: 'POST', headers: { cookie, origin: d.url, 'x-csrf-token': `${csrf}x` } }),
        // cookie with the right token but from another site
        await call(d, path, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': csrf } }),
        // cookie with the right token but no Origin or Referer at all
        await call(d, path, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } }),
        // bearer from another site
        await call(d, path, { method: 'POST', headers: { ...bearer, origin: 'https://evil.example' } }),
      ];
      expect(attempts.map((r) => [r.status, codeOf(r.body)])).toEqual([
        [403, 'csrf_failed'],
        [403, 'csrf_failed'],
        [403, 'forbidden'],
        [403, 'forbidden'],
        [403, 'forbidden'],
      ]);
      expect((await h.producer.get(a.sessionId))?.status).toBe('awaiting_approval');

      // the page's own form post: token in the body, Referer from the page, redirected back with a notice
      const form = await call(d, path, {
        method: 'POST',
        headers: { cookie, referer: `${d.url}/sessions/${a.sessionId}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, _next: `/sessions/${a.sessionId}` }),
      });
      expect(form.status).toBe(303);
      expect(form.headers.get('location')).toBe(`/sessions/${a.sessionId}?notice=cancelled`);
      expect((await h.producer.get(a.sessionId))?.status).toBe('cancelled');

      // Bull Board's axios sends the XSRF-TOKEN cookie back as X-XSRF-TOKEN; the decision is recorded as the login name
      const approved = await call(d, `/api/approvals/${b.approvalId}/approve`, { ...json({ cookie, origin: d.url, 'x-xsrf-token': csrf }, {}) });
      expect(approved.status).toBe(200);
      expect((approved.body as { approval: { decidedBy: string } }).approval.decidedBy).toBe('carol');
      expect((await h.producer.wait(b.sessionId, { timeoutMs: 20_000 })).status).toBe('completed');

      const out = await call(d, '/logout', {
        method: 'POST',
        headers: { cookie, origin: d.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf }),
      });
      expect(out.status).toBe(303);
      expect(out.headers.getSetCookie().some((c) => c.startsWith('agentq_session=;'))).toBe(true);
    } finally {
      await d.close();
      await h.close();
    }
  });
});
