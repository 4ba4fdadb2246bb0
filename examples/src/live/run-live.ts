/**
 * `pnpm live`: one session streaming live in a browser. Starts a private redis-server (unless REDIS_URL is
 * set), mock-anthropic (unless ANTHROPIC_API_KEY is set), a worker, the dashboard with a random token and the
 * example backend, then starts a `stream: true` session and prints the page to open. Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { startMockAnthropic } from '@agentq/mock-anthropic';
import { AgentProducer, startDashboard } from '@agentq/producer';
import { defineAgent, defineTool } from '@agentq/shared';
import { RedisServer } from '@agentq/shared/testing';
import { startWorker } from '@agentq/worker';
import { z } from 'zod';
import { scriptedInput } from '../demo-script.js';
import { startLiveExample } from './live-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
const stop = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

let redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  const redis = await RedisServer.start();
  cleanups.push(() => redis.destroy());
  redisUrl = redis.url;
}
const apiKey = process.env.ANTHROPIC_API_KEY;
const mock = apiKey ? undefined : await startMockAnthropic({ latencyMs: 40, chunkDelayMs: 60 });
if (mock) cleanups.push(() => mock.close());

// A slow lookup, so there is something to watch between the model's turns.
const lookup = defineTool({
  name: 'lookup_weather',
  description: 'The weather in a city',
  input: z.object({ city: z.string() }),
  risk: 'safe',
  run: async ({ city }) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { city, sky: 'clear', celsius: 21 };
  },
});
const agent = defineAgent({ name: 'live_weather', system: 'You answer questions about the weather.', tools: [lookup], stream: true });
const worker = await startWorker({ agents: [agent], connection: redisUrl, model: { apiKey: apiKey ?? 'demo-key', ...(mock ? { baseURL: mock.url } : {}) } });
cleanups.push(() => worker.close());
const producer = new AgentProducer({ connection: redisUrl });
cleanups.push(() => producer.close());
const dashboard = await startDashboard({
  producer,
  port: Number(process.env.AGENTQ_DASHBOARD_PORT ?? 0),
  auth: { token: randomBytes(18).toString('base64url') },
});
cleanups.push(() => dashboard.close());
const site = await startLiveExample({ producer, dashboardUrl: dashboard.url });
cleanups.push(() => site.close());

const { sessionId } = await producer.start({
  agent: agent.name,
  input: scriptedInput('What is the weather in Lisbon and in Oslo?', [
    { tool: 'lookup_weather', input: { city: 'Lisbon' } },
    { tool: 'lookup_weather', input: { city: 'Oslo' } },
    { text: 'Lisbon is clear at 21 °C, and so is Oslo today: a fine day in both cities for a walk along the water.' },
  ]),
});
process.stdout.write(`open ${site.url}/sessions/${sessionId} to watch the session live (Ctrl-C stops)\n`);
