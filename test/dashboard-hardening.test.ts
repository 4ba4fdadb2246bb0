import { AgentqError } from '@agentq/shared';
import { type Dashboard, startDashboard } from '@agentq/producer';
import { describe, expect, test } from './support/fixtures.js';
import { refundAgent } from './support/dashboard-fixture.js';
import { startHarness } from './support/harness.js';

const TOKEN = 'dashboard-test-token-0123456789';
const form = (body: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(body),
});

async function login(d: Dashboard): Promise<string> {
  const res = await fetch(`${d.url}/login`, form({ token: TOKEN, name: 'carol' }, { origin: d.url }));
  expect(res.status).toBe(303);
  return (res.headers.getSetCookie().find((c) => c.startsWith('agentq_session=')) as string).split(';')[0] as string;
}

describe('dashboard hardening (issue 12, item 13)', () => {
  // --insecure --host 0.0.0.0 used to start with only a warning: an open, unauthenticated control plane.
  test('refuses --insecure on a non-loopback host', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()], workers: 0 });
    try {
      const codes: string[] = [];
      for (const host of ['0.0.0.0', '::']) {
        await startDashboard({ producer: h.producer, port: 0, host, auth: { insecure: true } }).then(
          async (d) => {
            codes.push('started');
            await d.close();
          },
          (error: unknown) => codes.push(AgentqError.isInstance(error) ? error.code : 'other'),
        );
      }
      expect(codes).toEqual(['config_invalid', 'config_invalid']);
    } finally {
      await h.close();
    }
  });

  // Logout only cleared the browser's cookie: a copied cookie kept working until it expired (12 h).
  test('logout revokes the session cookie on the server', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()], workers: 0 });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
    try {
      const cookie = await login(d);
      const page = await fetch(`${d.url}/api/sessions`, { headers: { cookie } });
      expect(page.status).toBe(200);
      const xsrf = (await fetch(`${d.url}/sessions`, { headers: { cookie } })).headers.getSetCookie().find((c) => c.startsWith('XSRF-TOKEN=')) as string;
      const csrf = decodeURIComponent((xsrf.split(';')[0] as string).slice('XSRF-TOKEN='.length));
      const out = await fetch(`${d.url}/logout`, form({ _csrf: csrf }, { cookie, origin: d.url }));
      expect(out.status).toBe(303);
      // the same cookie, replayed after logout
      expect((await fetch(`${d.url}/api/sessions`, { headers: { cookie } })).status).toBe(401);
      // a fresh login still works
      expect((await fetch(`${d.url}/api/sessions`, { headers: { cookie: await login(d) } })).status).toBe(200);
    } finally {
      await d.close();
      await h.close();
    }
  });

  // 300 wrong logins in 12 s were all answered 401, as fast as they came.
  test('wrong logins are throttled per client address', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent()], workers: 0 });
    const d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await fetch(`${d.url}/login`, form({ token: `wrong-${i}` }, { origin: d.url }))).status);
      const counts = { unauthorized: statuses.filter((s) => s === 401).length, throttled: statuses.filter((s) => s === 429).length };
      console.log(`30 wrong logins: ${counts.unauthorized} answered 401, ${counts.throttled} throttled 429`);
      expect(counts.unauthorized).toBe(10);
      expect(counts.throttled).toBe(20);
      // while throttled, even the right token is refused (no oracle for a guesser)
      const right = await fetch(`${d.url}/login`, form({ token: TOKEN }, { origin: d.url }));
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await d.close();
      await h.close();
    }
  });
});
