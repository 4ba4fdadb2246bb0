import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';

/**
 * How step jobs are ordered: `fair` gives each a priority from its tenant's backlog; `fifo` queues them in
 * arrival order (BullMQ's plain wait list), the behaviour before tenants, kept as the baseline the fairness
 * benchmark measures against.
 */
export type SchedulingMode = 'fair' | 'fifo';

/** The tenant of sessions started without one: they share one backlog, weight and share. */
export const DEFAULT_TENANT = 'default';

/** The highest priority number BullMQ accepts (2^21). */
export const MAX_BULLMQ_PRIORITY = 2_097_152;

/** A backlog entry older than this belongs to a job whose add failed; it is dropped. */
const STALE_BACKLOG_MS = 24 * 3_600_000;

/** How long a running slot lasts without its step finishing (a crashed worker's slot frees itself). @defaultValue 900000 */
export const RUNNING_LEASE_MS = 15 * 60_000;

export function tenantOf(session: { tenant?: string | undefined }): string {
  return session.tenant ?? DEFAULT_TENANT;
}

/** The BullMQ priority of a step queued behind `backlog` steps of its tenant: fewer waiting = sooner. */
export function stepPriority(backlog: number, weight: number): number {
  const w = Number.isFinite(weight) && weight > 0 ? weight : 1;
  return Math.min(MAX_BULLMQ_PRIORITY, Math.floor(Math.max(0, backlog) / w) + 1);
}

/** What a worker learns when it takes a tenant's step. */
export interface TenantStepStart {
  /** False: the tenant is at its concurrency cap; defer the step. */
  granted: boolean;
  /** The tenant's steps still queued in this queue. */
  backlog: number;
  weight: number;
  /** The tenant's running steps, this one included; -1 when not counted (the tenant has no cap). */
  running: number;
  /** 0 = no cap. */
  cap: number;
}

/**
 * Fair, work-conserving scheduling across tenants on plain BullMQ: every step job carries a priority derived
 * from its tenant's backlog when it was queued (see scheduleSteps-2.lua), so a tenant with thousands of
 * steps waiting cannot hold back a tenant with a few, and a lone tenant still takes every free slot.
 * An optional per-tenant concurrency cap holds a tenant's extra steps back (deferred), never the others'.
 */
export class TenantScheduler {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    readonly queueName: string,
  ) {}

  /** Records `jobIds` as queued for `tenant` and returns their priorities, in order. */
  async schedule(tenant: string, jobIds: string[]): Promise<number[]> {
    if (jobIds.length === 0) return [];
    return runScript<number[]>(
      this.redis,
      'scheduleSteps',
      [this.keys.tenantBacklog(this.queueName, tenant), this.keys.tenantSettings(tenant)],
      [Date.now(), STALE_BACKLOG_MS, MAX_BULLMQ_PRIORITY, ...jobIds],
    );
  }

  /** Records one queued job whose priority the caller already knows (sent beside the job's add, not awaited first). */
  async noteQueued(tenant: string, jobId: string): Promise<void> {
    await this.redis.zadd(this.keys.tenantBacklog(this.queueName, tenant), 'NX', Date.now(), jobId);
  }

  /** A worker takes a step job: it leaves the backlog and takes a running slot unless the tenant is at its cap. */
  async startStep(tenant: string, jobId: string): Promise<TenantStepStart> {
    const [granted, backlog, weight, running, cap] = await runScript<[number, number, string, number, number]>(
      this.redis,
      'startTenantStep',
      [this.keys.tenantBacklog(this.queueName, tenant), this.keys.tenantRunning(this.queueName, tenant), this.keys.tenantSettings(tenant)],
      [jobId, Date.now(), RUNNING_LEASE_MS],
    );
    return { granted: granted === 1, backlog, weight: Number(weight) || 1, running, cap };
  }

  /** The step ended (whatever its outcome): its running slot is free. */
  async finishStep(tenant: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.keys.tenantRunning(this.queueName, tenant), jobId);
  }

  /** Steps of `tenant` queued and running in this queue now. */
  async load(tenant: string): Promise<{ backlog: number; running: number }> {
    const [backlog, running] = await Promise.all([
      this.redis.zcard(this.keys.tenantBacklog(this.queueName, tenant)),
      this.redis.zcount(this.keys.tenantRunning(this.queueName, tenant), Date.now(), '+inf'),
    ]);
    return { backlog, running };
  }
}
