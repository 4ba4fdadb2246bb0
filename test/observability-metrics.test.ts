import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import { defineAgent, defineTool } from '@agentq/shared';
import { createProducerMetrics } from '@agentq/producer';
import { WorkerMetrics } from '@agentq/worker';
import { z } from 'zod';
import { eventsUntil } from './support/events.js';
import { describe, expect, test } from './support/fixtures.js';
import { scripted, startHarness } from './support/harness.js';

/** Value of one series in Prometheus text format; labels must all match (others may be present). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) total += Number(match[4]);
  }
  return total;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  return res.text();
}

function makeAgent() {
  const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({ value: z.string() }), risk: 'safe', run: ({ value }) => value });
  const broken = defineTool({
    name: 'broken',
    description: 'Fails',
    input: z.object({}),
    risk: 'safe',
    retries: 1,
    run: () => {
      throw new Error('down');
    },
  });
  return defineAgent({ name: 'metered', system: 'Metered.', tools: [echo, broken] });
}

describe('Prometheus metrics', () => {
  test('worker /metrics counters move by exactly what one session did; producer gauges read the queue', async ({ redisUrl, queueName, prefix }) => {
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()], worker: { metricsPort: 0, metricsHost: '127.0.0.1' } });
    try {
      const url = h.workers[0]?.metricsServer?.url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const before = await scrape(url);
      expect(sample(before, 'agentq_tool_calls_total', { tool: 'echo' })).toBe(0);

      const script = [
        { tool: 'echo', input: { value: 'a' } },
        [
          { tool: 'echo', input: { value: 'b' } },
          { tool: 'broken', input: {} },
        ],
        { text: 'done' },
      ];
      const { sessionId } = await h.producer.start({ agent: 'metered', input: scripted('Meter me.', script) });
      const result = await h.producer.wait(sessionId, { timeoutMs: 20_000 });
      expect(result.status).toBe('completed');
      await eventsUntil(h, sessionId, 'session_completed');
      // the step timer stops after the session's last event is appended: poll until the third step is timed
      let after = await scrape(url);
      for (
        const deadline = Date.now() + 10_000;
        sample(after, 'agentq_step_duration_seconds_count') - sample(before, 'agentq_step_duration_seconds_count') < 3 && Date.now() < deadline;
      ) {
        await new Promise((r) => setTimeout(r, 20));
        after = await scrape(url);
      }
      const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
      const moved = {
        echoCalls: delta('agentq_tool_calls_total', { tool: 'echo' }),
        brokenErrors: delta('agentq_tool_errors_total', { tool: 'broken', code: 'tool_failed' }),
        brokenRetries: delta('agentq_tool_retries_total', { tool: 'broken' }),
        toolDurations: delta('agentq_tool_duration_seconds_count'),
        steps: delta('agentq_step_duration_seconds_count'),
        advanced: delta('agentq_step_duration_seconds_count', { result: 'advanced' }),
        modelCalls: delta('agentq_model_call_duration_seconds_count'),
        inputTokens: delta('agentq_model_tokens_total', { kind: 'input' }),
        outputTokens: delta('agentq_model_tokens_total', { kind: 'output' }),
        completed: delta('agentq_sessions_finished_total', { agent: 'metered', status: 'completed' }),
      };
      console.log('metrics moved', moved);
      expect(moved).toEqual({
        echoCalls: 2,
        brokenErrors: 1,
        brokenRetries: 1,
        toolDurations: 3,
        steps: 3,
        advanced: 2,
        modelCalls: 3,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        completed: 1,
      });
      expect(delta('agentq_model_cost_usd_total')).toBeCloseTo(result.usage.costUsd, 6);
      expect(sample(after, 'agentq_worker_process_resident_memory_bytes')).toBeGreaterThan(0);

      const producerRegistry = createProducerMetrics(h.producer);
      let text = await producerRegistry.metrics();
      for (const deadline = Date.now() + 10_000; sample(text, 'agentq_queue_jobs', { state: 'completed' }) < 3 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 20));
        text = await producerRegistry.metrics();
      }
      expect(sample(text, 'agentq_workers', { queue: queueName })).toBe(1);
      expect(sample(text, 'agentq_sessions', { status: 'completed' })).toBe(1);
      expect(sample(text, 'agentq_sessions', { status: 'running' })).toBe(0);
      expect(sample(text, 'agentq_queue_jobs', { queue: queueName, state: 'completed' })).toBe(3);
      expect(sample(text, 'agentq_queue_jobs', { state: 'waiting' })).toBe(0);
      expect(sample(text, 'agentq_approvals_pending')).toBe(0);
      expect(sample(text, 'agentq_approval_oldest_pending_seconds')).toBe(0);
    } finally {
      await h.close();
    }
  });

  test('the alert rules file is valid YAML and every metric it uses is exported', async ({ redisUrl, queueName, prefix }) => {
    // No promtool here: parse the YAML and check every metric name it uses against the registries.
    const file = fileURLToPath(new URL('../deploy/prometheus/agentq-alerts.yml', import.meta.url));
    const doc = parseYaml(readFileSync(file, 'utf8')) as {
      groups: Array<{
        name: string;
        rules: Array<{ alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }>;
      }>;
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'AgentqApprovalPendingTooLong',
      'AgentqBudgetStops',
      'AgentqLoopsDetected',
      'AgentqNoWorkers',
      'AgentqQueueBacklog',
      'AgentqRateLimitPausesFrequent',
      'AgentqSessionFailureRateHigh',
      'AgentqSessionsFailing',
    ]);
    const h = await startHarness({ redisUrl, queueName, prefix, agents: [makeAgent()], workers: 0 });
    try {
      const exported = new Set<string>();
      for (const registry of [new WorkerMetrics({ processMetrics: false }).registry, createProducerMetrics(h.producer)]) {
        for (const metric of await registry.getMetricsAsJSON()) exported.add(metric.name);
      }
      for (const rule of rules) {
        expect(rule.expr.length).toBeGreaterThan(0);
        expect(rule.labels.severity).toMatch(/^(page|ticket)$/);
        expect(rule.annotations.summary).toBeTruthy();
        if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
        // balanced brackets catch most typos promtool would
        for (const [open, close] of [
          ['(', ')'],
          ['{', '}'],
          ['[', ']'],
        ] as const)
          expect(rule.expr.split(open).length).toBe(rule.expr.split(close).length);
        const used = [...rule.expr.matchAll(/\bagentq_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
        expect(used.length).toBeGreaterThan(0);
        for (const name of used) expect(exported, `${rule.alert} uses ${name}`).toContain(name);
      }
    } finally {
      await h.close();
    }
  });
});
