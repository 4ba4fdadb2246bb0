import { existsSync } from 'node:fs';
import { startLiveExample, type LiveExample } from '@agentq/examples';
import { type Dashboard, startDashboard } from '@agentq/producer';
import { defineAgent, defineTool } from '@agentq/shared';
import { type Browser, chromium } from 'playwright-core';
import { z } from 'zod';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'live-browser-dashboard-token-0123';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`live browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('the live example page in a real browser (Debian chromium)', () => {
  test('a session streams live into the page through a stream token: every event once, in order, and the answer as it is written', async ({
    redisUrl,
    queueName,
    prefix,
  }) => {
    // the tool waits for the test, so the page is open while the session is still running
    const held: Array<() => void> = [];
    const arrived: Array<(release: () => void) => void> = [];
    const hold = defineTool({
      name: 'hold',
      description: 'Waits for the test',
      input: z.object({}),
      risk: 'safe',
      run: () => new Promise<string>((resolve) => (arrived.shift() ?? ((release: () => void) => held.push(release)))(() => resolve('released'))),
    });
    const nextHold = () => new Promise<() => void>((resolve) => (held.length > 0 ? resolve(held.shift() as () => void) : arrived.push(resolve)));
    const agent = defineAgent({ name: 'live', system: 'You answer live.', tools: [hold], stream: true });
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent] });
    let d: Dashboard | undefined;
    let site: LiveExample | undefined;
    let browser: Browser | undefined;
    try {
      d = await startDashboard({ producer: h.producer, port: 0, auth: { token: TOKEN } });
      site = await startLiveExample({ producer: h.producer, dashboardUrl: d.url });
      const answer = 'Streaming works: this sentence reached the browser in pieces before the session ended.';
      const { sessionId } = await h.producer.start({ agent: 'live', input: scripted('Hold, then answer.', [{ tool: 'hold', input: {} }, { text: answer }]) });
      const release = await nextHold();

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const page = await (await browser.newContext()).newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${site.url}/sessions/${sessionId}`);
      // mid-session: the events so far are on the page, and the session is still live. A safe tool's tool_call is
      // written with its result's checkpoint, after the hold is released: wait for the step's model_call, written before tools run
      await page.locator('#events li[data-type="model_call"]').first().waitFor({ timeout: 15_000 });
      expect(await page.locator('#status').textContent()).toBe('live');
      release();
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('completed');

      const shown = await page.locator('#events li').evaluateAll((items) => items.map((li) => li.getAttribute('data-id')));
      const stored = (await h.producer.events(sessionId)).map((e) => e.id);
      console.log(
        `page: ${shown.length} events (stored ${stored.length}), duplicates ${shown.length - new Set(shown).size}, answer ${(await page.locator('#answer').textContent())?.length} chars`,
      );
      expect(shown).toEqual(stored);
      expect(await page.locator('#answer').textContent()).toBe(answer);
      // the browser held a stream token only: the dashboard token never reached it
      expect(requests.some((url) => url.includes(TOKEN))).toBe(false);
      expect((await page.content()).includes(TOKEN)).toBe(false);
    } finally {
      await browser?.close();
      await site?.close();
      await d?.close();
      await h.close();
    }
  });
});
