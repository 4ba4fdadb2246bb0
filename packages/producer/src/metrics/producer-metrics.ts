import { type SessionStatus, SessionStatus as SessionStatusSchema } from '@agentq/shared';
import { Gauge, Registry } from 'prom-client';
import type { AgentProducer } from '../agent-producer.js';

export interface ProducerMetricsOptions {
  /** Sessions counted by status are the newest this many (counting all would scan Redis on each scrape). @defaultValue 10000 */
  sessionScanLimit?: number;
  /** Pending approvals read to find the oldest. @defaultValue 1000 */
  approvalScanLimit?: number;
  /** Labels on every series. @defaultValue {} */
  defaultLabels?: Record<string, string>;
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/**
 * A registry the producer's HTTP server mounts at `/metrics`: queue depth by state, live workers, pending
 * approvals and their oldest age, and sessions by status. Every gauge is read from Redis at scrape time, so
 * any number of producer processes report the same numbers.
 */
export function createProducerMetrics(producer: AgentProducer, options: ProducerMetricsOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const registers = [registry];
  const scanLimit = options.sessionScanLimit ?? 10_000;
  const approvalLimit = options.approvalScanLimit ?? 1000;
  const queueLabel = producer.queue.name;

  new Gauge({
    name: 'agentq_queue_jobs',
    help: 'Step and approval-timeout jobs in the queue, by state.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const counts = await producer.queue.getJobCounts(...JOB_STATES);
      this.reset();
      for (const state of JOB_STATES) this.set({ queue: queueLabel, state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'agentq_workers',
    help: 'Workers connected to the queue.',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.set({ queue: queueLabel }, await producer.queue.getWorkersCount());
    },
  });
  new Gauge({
    name: 'agentq_approvals_pending',
    help: 'Tool calls waiting for a human decision.',
    registers,
    async collect() {
      this.set(await producer.redis.zcard(producer.stores.keys.pendingApprovals()));
    },
  });
  new Gauge({
    name: 'agentq_approval_oldest_pending_seconds',
    help: 'Age of the oldest pending approval (0 when none).',
    registers,
    async collect() {
      const pending = await producer.stores.approvals.listPending({ limit: approvalLimit });
      const oldest = pending.reduce((min, a) => Math.min(min, a.requestedAt), Date.now());
      this.set((Date.now() - oldest) / 1000);
    },
  });
  new Gauge({
    name: 'agentq_sessions',
    help: `Sessions by status, among the newest ${scanLimit}.`,
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await countStatuses(producer, scanLimit);
      this.reset();
      for (const status of SessionStatusSchema.options) this.set({ status }, counts[status] ?? 0);
    },
  });
  return registry;
}

async function countStatuses(producer: AgentProducer, limit: number): Promise<Partial<Record<SessionStatus, number>>> {
  const counts: Partial<Record<SessionStatus, number>> = {};
  const { redis, keys } = producer.stores;
  const page = 1000;
  for (let offset = 0; offset < limit; offset += page) {
    const ids = await redis.zrevrange(keys.sessionIndex(), offset, Math.min(limit, offset + page) - 1);
    if (ids.length === 0) break;
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hget(keys.session(id), 'status');
    for (const [err, status] of (await pipeline.exec()) ?? []) {
      if (!err && typeof status === 'string') {
        const parsed = SessionStatusSchema.safeParse(status);
        if (parsed.success) counts[parsed.data] = (counts[parsed.data] ?? 0) + 1;
      }
    }
    if (ids.length < page) break;
  }
  return counts;
}
