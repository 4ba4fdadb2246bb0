import { randomUUID } from 'node:crypto';
import { addJob, enqueueStep, type JobName, type Logger, type Redis, type StepJobSettings } from '@agentq/shared';
import { type Keys, StepCheckpointStore } from '@agentq/shared/internal';
import type Anthropic from '@anthropic-ai/sdk';
import type { Job, Queue } from 'bullmq';
import { runWorkerScript } from '../redis/worker-scripts.js';
import type { ResolvedBatchLaneOptions } from './batch-lane-options.js';
import type { BatchItemResult } from './batch-result.js';

/** A parked model call: which step it belongs to and what to send. */
export interface BatchCall {
  sessionId: string;
  step: number;
  attempt: number;
  params: Anthropic.MessageCreateParamsNonStreaming;
}

/** What the poller writes into the step's checkpoint. */
export interface DeliveredResult {
  customId: string;
  result: BatchItemResult;
}

export const BATCH_FLUSH_JOB = 'batch-flush' satisfies JobName;
export const BATCH_POLL_JOB = 'batch-poll' satisfies JobName;

/**
 * One queue's batch lane in Redis: the buffer steps park their calls in, the claims flushers make before they
 * submit, and the batches in flight. Keyed by queue name, so each queue (shard) has its own lane.
 */
export class BatchLane {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    readonly queue: Queue,
    readonly sdk: Anthropic,
    readonly options: ResolvedBatchLaneOptions,
    readonly stepSettings: StepJobSettings,
    readonly logger: Logger,
  ) {}

  key(part: Parameters<Keys['batchLane']>[1]): string {
    return this.keys.batchLane(this.queue.name, part);
  }

  /** Parks a call (once per custom_id) and makes sure a flush will come: at once when the buffer is full, else within maxAgeMs. */
  async park(customId: string, call: BatchCall): Promise<{ parked: boolean; pending: number }> {
    const [added, pending] = await runWorkerScript<[number, number]>(
      this.redis,
      'parkBatchCall',
      [this.key('pending'), this.key('calls')],
      [customId, Date.now(), JSON.stringify(call)],
    );
    if (added === 1 && pending % this.options.maxBatchSize === 0) await this.scheduleFlush(0, `full-${randomUUID().slice(0, 8)}`);
    else await this.scheduleFlush(this.options.maxAgeMs);
    return { parked: added === 1, pending };
  }

  /**
   * Adds a flush job. Jobs due in the same `maxAgeMs` window share an id, so a thousand parks add one job;
   * a flush with nothing due is a no-op, so an extra one costs a few reads.
   */
  async scheduleFlush(delayMs: number, tag?: string): Promise<void> {
    await this.addLaneJob(BATCH_FLUSH_JOB, delayMs, this.options.maxAgeMs, tag);
  }

  async schedulePoll(delayMs: number = this.options.pollIntervalMs): Promise<void> {
    await this.addLaneJob(BATCH_POLL_JOB, delayMs, this.options.pollIntervalMs);
  }

  private async addLaneJob(name: typeof BATCH_FLUSH_JOB | typeof BATCH_POLL_JOB, delayMs: number, grainMs: number, tag?: string): Promise<void> {
    const slot = Math.ceil((Date.now() + delayMs) / Math.max(1, grainMs));
    await addJob(this.queue, name, {}, { jobId: `${name}-${tag ?? `t${slot}`}`, delay: delayMs });
  }

  /**
   * A flush or poll job that used up its attempts (the API stayed down) must not end the lane's work: the
   * next one is scheduled a full interval later, so calls and batches never strand while sessions wait.
   */
  async afterJobFailed(job: Job): Promise<void> {
    if ((await job.getState()) !== 'failed') return;
    if (job.name === BATCH_FLUSH_JOB) await this.scheduleFlush(this.options.maxAgeMs, `after-${randomUUID().slice(0, 8)}`);
    if (job.name === BATCH_POLL_JOB) await this.schedulePoll();
  }

  /** After a restart: flush and poll whatever the lane still holds. */
  async resume(): Promise<void> {
    const [pending, claims, inflight] = await Promise.all([
      this.redis.zcard(this.key('pending')),
      this.redis.zcard(this.key('claims')),
      this.redis.zcard(this.key('inflight')),
    ]);
    if (pending > 0 || claims > 0) await this.scheduleFlush(0, `resume-${randomUUID().slice(0, 8)}`);
    if (inflight > 0) await this.schedulePoll(0);
  }

  async calls(customIds: string[]): Promise<Array<BatchCall | undefined>> {
    if (customIds.length === 0) return [];
    const raw = await this.redis.hmget(this.key('calls'), ...customIds);
    return raw.map((value) => (value ? (JSON.parse(value) as BatchCall) : undefined));
  }

  /**
   * Hands a result to its step: the result goes into the step's checkpoint first, then the step's job is
   * added (its id is fixed by the attempt, so delivering twice adds one job). The step turns it into its
   * model checkpoint, or retries or fails by the rules of a direct call.
   */
  async deliver(customId: string, call: BatchCall, result: BatchItemResult): Promise<void> {
    const delivered: DeliveredResult = { customId, result };
    await new StepCheckpointStore(this.redis, this.keys).setBatchResult(call.sessionId, call.step, JSON.stringify(delivered));
    const jobId = await enqueueStep(this.queue, call.sessionId, call.step, this.stepSettings, { suffix: `b${call.attempt}` });
    await this.redis.hset(this.keys.session(call.sessionId), 'jobId', jobId);
  }

  /** Moves due calls into a new claim; empty when none are due. */
  async claim(now: number = Date.now()): Promise<{ claimId: string; customIds: string[] }> {
    const claimId = `${now}-${randomUUID().slice(0, 8)}`;
    const customIds = await runWorkerScript<string[]>(
      this.redis,
      'claimBatchCalls',
      [this.key('pending'), this.key('claims'), this.key(`claim:${claimId}`)],
      [this.options.maxBatchSize, now - this.options.maxAgeMs, now, claimId],
    );
    return { claimId, customIds };
  }

  /** Records the batch a claim was submitted as; false when another flusher already resolved the claim. */
  async record(claimId: string, batchId: string): Promise<boolean> {
    const done = await runWorkerScript<number>(
      this.redis,
      'recordBatch',
      [this.key('claims'), this.key(`claim:${claimId}`), this.key('inflight'), this.key(`batch:${batchId}`), this.key('seen')],
      [claimId, Date.now(), batchId],
    );
    return done === 1;
  }

  async release(claimId: string): Promise<number> {
    return runWorkerScript<number>(this.redis, 'releaseClaim', [this.key('claims'), this.key(`claim:${claimId}`), this.key('pending')], [claimId, Date.now()]);
  }

  /** Forgets a batch (or a claim answered without one) whose results were all delivered. */
  async finish(kind: 'batch' | 'claim', id: string): Promise<void> {
    const [set, list] = kind === 'batch' ? [this.key('inflight'), this.key(`batch:${id}`)] : [this.key('claims'), this.key(`claim:${id}`)];
    await runWorkerScript<number>(this.redis, 'finishBatch', [set, list, this.key('calls')], [id]);
  }

  async claimIds(claimId: string): Promise<string[]> {
    return this.redis.lrange(this.key(`claim:${claimId}`), 0, -1);
  }

  async batchIds(batchId: string): Promise<string[]> {
    return this.redis.lrange(this.key(`batch:${batchId}`), 0, -1);
  }

  /** Claims whose flusher neither recorded a batch nor released them within the lease. */
  async staleClaims(now: number = Date.now()): Promise<Array<{ claimId: string; at: number }>> {
    const raw = await this.redis.zrangebyscore(this.key('claims'), '-inf', String(now - this.options.claimLeaseMs), 'WITHSCORES');
    const out: Array<{ claimId: string; at: number }> = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ claimId: raw[i] as string, at: Number(raw[i + 1]) });
    return out;
  }

  async inflight(): Promise<string[]> {
    return this.redis.zrange(this.key('inflight'), '0', '-1');
  }

  async seen(batchIds: string[]): Promise<boolean[]> {
    if (batchIds.length === 0) return [];
    const scores = await this.redis.zmscore(this.key('seen'), ...batchIds);
    return scores.map((s) => s !== null);
  }

  /** Counts for stats and tests. */
  async counts(): Promise<{ pending: number; claims: number; inflight: number; calls: number }> {
    const [pending, claims, inflight, calls] = await Promise.all([
      this.redis.zcard(this.key('pending')),
      this.redis.zcard(this.key('claims')),
      this.redis.zcard(this.key('inflight')),
      this.redis.hlen(this.key('calls')),
    ]);
    return { pending, claims, inflight, calls };
  }
}
