import { defineAgent } from '@agentq/shared';
import { describe, expect, test } from './support/fixtures.js';
import { startHarness } from './support/harness.js';

const agent = defineAgent({ name: 'quiet', system: 'You are a test agent.', tools: [] });

describe('worker metrics server binding (issue 12, item 13)', () => {
  // /metrics listened on 0.0.0.0 with no auth: every session's counts were open to the network.
  test('binds 127.0.0.1 unless a host is given', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [agent], worker: { metricsPort: 0 } });
    try {
      const server = h.workers[0]?.metricsServer;
      expect(server?.host).toBe('127.0.0.1');
      expect((await fetch(server?.url as string)).status).toBe(200);
      const open = await h.startWorker({ metricsPort: 0, metricsHost: '0.0.0.0' });
      expect(open.metricsServer?.host).toBe('0.0.0.0');
    } finally {
      await h.close();
    }
  });
});
