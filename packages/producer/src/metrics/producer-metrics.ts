import { registerQueueGauges, type SessionStatus, SessionStatus as SessionStatusSchema } from '@agentq/shared';
import { pipelineBySlot } from '@agentq/shared/internal';
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

/**
 * A registry the producer's HTTP server mounts at `/metrics`: queue depth by state, the runnable backlog, live workers, pending
 * approvals and their oldest age, and sessions by status. Every gauge is read from Redis at scrape time, so
 * any number of producer processes report the same numbers.
 */
export function createProducerMetrics(producer: AgentProducer, options: ProducerMetricsOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const registers = [registry];
  const scanLimit = options.sessionScanLimit ?? 10_000;
  const approvalLimit = options.approvalScanLimit ?? 1000;

  // One series per shard's queue (a single-queue fleet has one).
  registerQueueGauges(registry, () => producer.queues);
  new Gauge({
    name: 'agentq_workers',
    help: 'Workers connected to the queue.',
    labelNames: ['queue'],
    registers,
    async collect() {
      const counts = await Promise.all(producer.queues.map((q) => q.getWorkersCount()));
      producer.queues.forEach((q, i) => this.set({ queue: q.name }, counts[i] ?? 0));
    },
  });
  new Gauge({
    name: 'agentq_approvals_pending',
    help: 'Tool calls waiting for a human decision.',
    registers,
    async collect() {
      const counts = await Promise.all(producer.router.shards.map((s) => s.stores.redis.zcard(s.stores.keys.pendingApprovals())));
      this.set(counts.reduce((a, b) => a + b, 0));
    },
  });
  new Gauge({
    name: 'agentq_approval_oldest_pending_seconds',
    help: 'Age of the oldest pending approval (0 when none).',
    registers,
    async collect() {
      const pending = await producer.approvals.list({ limit: approvalLimit });
      // One clock reading: two could straddle a millisecond and report 0.001 s with nothing pending.
      const now = Date.now();
      const oldest = pending.reduce((min, a) => Math.min(min, a.requestedAt), now);
      this.set((now - oldest) / 1000);
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
  // The newest `limit` sessions over every shard's index; each record is read in its own slot.
  const ids = producer.router.sessionIds(page);
  let seen = 0;
  let done = false;
  while (!done && seen < limit) {
    const batch: string[] = [];
    while (batch.length < page && seen + batch.length < limit) {
      const next = await ids.next();
      if (next.done) {
        done = true;
        break;
      }
      batch.push(next.value);
    }
    if (batch.length === 0) break;
    seen += batch.length;
    const replies = await pipelineBySlot<string, string | null>(
      redis,
      batch,
      (id) => keys.session(id),
      (pipeline, id) => pipeline.hget(keys.session(id), 'status'),
    );
    for (const [err, status] of replies) {
      if (!err && typeof status === 'string') {
        const parsed = SessionStatusSchema.safeParse(status);
        if (parsed.success) counts[parsed.data] = (counts[parsed.data] ?? 0) + 1;
      }
    }
  }
  await ids.return();
  return counts;
}
