import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Dashboard, startDashboard } from '@agentq/producer';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe, expect, test } from './support/fixtures.js';
import { lookupTask, parkedSession, refundAgent } from './support/dashboard-fixture.js';
import { type Harness, startHarness } from './support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'e2e-dashboard-token-0123456789';
/** `AGENTQ_SCREENSHOTS=1` also writes the PNGs docs/dashboard.md shows. */
const SCREENSHOTS = process.env.AGENTQ_SCREENSHOTS === '1' ? resolve(import.meta.dirname, '../docs/images') : undefined;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, name), fullPage: true });
}

/** A little history so the pages have something to show: finished sessions of two tenants, plus a parked one. */
async function seed(h: Harness): Promise<{ parked: { sessionId: string; approvalId: string } }> {
  const done = await h.producer.startBatch([
    { agent: 'support', input: lookupTask('A-1001'), tenant: 'acme' },
    { agent: 'support', input: lookupTask('G-2002'), tenant: 'globex' },
    { agent: 'support', input: lookupTask('A-1003'), tenant: 'acme' },
  ]);
  await h.producer.waitAll(
    done.map((s) => s.sessionId),
    { timeoutMs: 20_000 },
  );
  const denied = await parkedSession(h, 'G-2004', 'globex');
  await h.producer.approvals.deny(denied.approvalId, { by: 'dana', reason: 'refunds above 40 EUR need a manager' });
  await h.producer.wait(denied.sessionId, { timeoutMs: 20_000 });
  return { parked: await parkedSession(h, 'A-1005', 'acme') };
}

describe.skipIf(!hasChromium)('dashboard in a real browser (Debian chromium)', () => {
  test('without the token every page is 401; after login Bull Board lists the queue, and approving a parked session from its page completes it', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    const refunds: string[] = [];
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [refundAgent(refunds)] });
    let d: Dashboard | undefined;
    let browser: Browser | undefined;
    try {
      const { parked } = await seed(h);
      d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
      browser = await launch();
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();

      // 1. no credentials: every page and endpoint answers 401, the pages with the login form
      const statuses: number[] = [];
      for (const path of ['/sessions', `/sessions/${parked.sessionId}`, '/approvals', '/stats', '/queues']) {
        statuses.push((await page.goto(`${d.url}${path}`))?.status() ?? 0);
      }
      for (const path of ['/metrics', '/api/sessions', '/queues/api/queues']) statuses.push((await page.request.get(`${d.url}${path}`)).status());
      console.log(`unauthenticated statuses: ${statuses.join(' ')}`);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401]);
      await expect.poll(() => page.getByRole('button', { name: 'Log in' }).count()).toBe(1);

      // 2. log in with the token through the form; the login name is recorded on decisions
      await page.goto(`${d.url}/sessions`);
      await page.getByLabel('Dashboard token').fill(TOKEN);
      await page.getByLabel(/Your name/).fill('e2e-operator');
      await Promise.all([page.waitForURL(`${d.url}/sessions`), page.getByRole('button', { name: 'Log in' }).click()]);
      expect(await page.getByRole('heading', { name: 'Sessions' }).count()).toBe(1);
      expect(await page.locator('tbody tr').count()).toBe(5);
      await shoot(page, 'dashboard-sessions.png');

      // 3. Bull Board lists the queue
      await page.goto(`${d.url}/queues`);
      await page.getByText(queueName).first().waitFor({ timeout: 15_000 });
      // Bull Board's axios echoes this script-readable cookie as X-XSRF-TOKEN on its POST/PUT calls
      expect(await page.evaluate('document.cookie')).toMatch(/XSRF-TOKEN=/);
      await shoot(page, 'dashboard-queues.png');

      // 4. find the parked session through the status filter and open it
      await page.goto(`${d.url}/sessions`);
      await page.getByLabel('Status').selectOption('awaiting_approval');
      await Promise.all([page.waitForURL(/status=awaiting_approval/), page.getByRole('button', { name: 'Filter' }).click()]);
      expect(await page.locator('tbody tr').count()).toBe(1);
      await Promise.all([page.waitForURL(`${d.url}/sessions/${parked.sessionId}`), page.getByRole('link', { name: parked.sessionId }).click()]);
      expect(await page.getByRole('heading', { name: 'Waiting for approval' }).count()).toBe(1);
      expect(await page.getByRole('heading', { name: 'refund_payment' }).count()).toBe(1);
      await shoot(page, 'dashboard-approval.png');

      // 5. approve it: the form posts to the API with the CSRF token and comes back with a notice
      await Promise.all([page.waitForURL(/notice=approved/), page.getByRole('button', { name: 'Approve' }).click()]);
      expect(await page.getByRole('status').textContent()).toContain('Approved');
      const result = await h.producer.wait(parked.sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      expect(result.output).toBe('Order A-1005 was handled.');
      expect(refunds).toEqual(['A-1005']);

      // 6. the timeline shows the decision, who made it, the tool calls and the final answer
      await page.goto(`${d.url}/sessions/${parked.sessionId}`);
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain('refund_payment approved by e2e-operator');
      expect(main).toContain('Final answer');
      expect(await page.locator('li.step').count()).toBe(3);
      expect(await page.locator('.entry .kind.tool').count()).toBe(2);
      await page
        .locator('li.step details')
        .first()
        .evaluate((el) => el.setAttribute('open', ''));
      await shoot(page, 'dashboard-session.png');

      await page.goto(`${d.url}/stats`);
      expect(await page.getByRole('rowheader', { name: 'refund_payment' }).count()).toBe(1);
      await shoot(page, 'dashboard-stats.png');
    } finally {
      await browser?.close();
      await d?.close();
      await h.close();
    }
    // Chromium's start-up alone takes seconds on a loaded CI machine
  }, 180_000);
});
