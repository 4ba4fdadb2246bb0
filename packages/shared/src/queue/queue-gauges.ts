import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import { readRunnableBacklog, type RunnableBacklog } from './runnable-backlog.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/**
 * Adds the queue gauges to a registry: `agentq_queue_jobs{queue,state}`, `agentq_runnable_steps{queue}` (the
 * autoscaling signal, see `readRunnableBacklog`) and `agentq_queue_held{queue}`. They are read from Redis at
 * scrape time, so every process that serves them (the dashboard, each worker, `agentq metrics`) reports the
 * same numbers: aggregate them with `max by (queue)`, not `sum`. A read that takes longer than `timeoutMs`
 * (Redis away: commands wait for the reconnect) leaves the gauges without series for that scrape, so the
 * rest of the registry, a worker's own counters, is still served.
 */
export function registerQueueGauges(registry: Registry, queues: () => readonly Queue[], options: { timeoutMs?: number } = {}): void {
  const registers = [registry];
  const timeoutMs = options.timeoutMs ?? 2000;
  new Gauge({
    name: 'agentq_queue_jobs',
    help: 'Step and approval-timeout jobs in the queue, by state.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      this.reset();
      const all = await within(timeoutMs, Promise.all(queues().map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...JOB_STATES) }))));
      for (const { queue, counts } of all ?? []) for (const state of JOB_STATES) this.set({ queue, state }, counts[state] ?? 0);
    },
  });
  // One read feeds both gauges; the second collect of a scrape reuses the first's result.
  let pending: Promise<RunnableBacklog | undefined> | undefined;
  const backlog = () => {
    pending ??= within(timeoutMs, readRunnableBacklog(queues())).finally(() => {
      pending = undefined;
    });
    return pending;
  };
  new Gauge({
    name: 'agentq_runnable_steps',
    help: 'Steps a worker could start now: waiting + prioritized + delayed jobs already due; 0 while the queue is paused (a provider 429 or an operator).',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      for (const q of (await backlog())?.queues ?? []) this.set({ queue: q.queue }, q.ready);
    },
  });
  new Gauge({
    name: 'agentq_queue_held',
    help: '1 while the queue is paused by a provider 429 (rate-limit pause) or an operator, else 0.',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      for (const q of (await backlog())?.queues ?? []) this.set({ queue: q.queue }, q.paused || q.rateLimitPauseMs > 0 ? 1 : 0);
    },
  });
}

/** The promise's value, or undefined when it fails or takes longer than `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
