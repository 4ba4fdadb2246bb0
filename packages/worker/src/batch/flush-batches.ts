import { shouldRetry } from '@agentq/shared';
import type Anthropic from '@anthropic-ai/sdk';
import { classifyModelError } from '../model/classify-model-error.js';
import type { BatchLane } from './batch-lane.js';

/** Clock skew allowed between this process and the API when matching a batch's `created_at` to a claim. */
const SKEW_MS = 60_000;

export interface FlushReport {
  submitted: number;
  calls: number;
  adopted: number;
}

/**
 * The flusher job: resolves claims left by a flusher that died mid-submit, then submits every due chunk of
 * the buffer as one Message Batch each. Each chunk is claimed in Redis (one script) before the submit and
 * recorded under its batch id (one script) after it, so a kill at any point neither loses a call nor submits
 * one twice: a claim left behind is resolved after the lease by adopting the batch it became (the
 * unrecorded batch of the same size created since the claim) or, when there is none, by submitting it.
 */
export async function flushBatches(lane: BatchLane): Promise<FlushReport> {
  const report: FlushReport = { submitted: 0, calls: 0, adopted: 0 };
  for (const stale of await lane.staleClaims()) {
    const customIds = await lane.claimIds(stale.claimId);
    if (customIds.length === 0) {
      await lane.finish('claim', stale.claimId);
      continue;
    }
    const adopted = await findOrphanBatch(lane, stale.at, customIds.length);
    if (adopted) {
      if (await lane.record(stale.claimId, adopted)) {
        report.adopted += 1;
        lane.logger.warn({ claimId: stale.claimId, batchId: adopted, calls: customIds.length }, 'batch lane: adopted the batch of a claim whose flusher died');
      }
      continue;
    }
    await submit(lane, stale.claimId, customIds, report);
  }
  for (;;) {
    const { claimId, customIds } = await lane.claim();
    if (customIds.length === 0) break;
    await submit(lane, claimId, customIds, report);
  }
  const oldest = await lane.redis.zrange(lane.key('pending'), '0', '0', 'WITHSCORES');
  if (oldest.length === 2) {
    // Named by the call's due time, not by its window: the window's flush job may be this very job (a call
    // parked after the window's first, left behind because a full-buffer flush took the first) or a completed
    // one BullMQ still keeps, and an add whose id exists is ignored: the call would strand. A later job can
    // never carry this id, since it only runs once this call is due and so claims it.
    const dueAt = Number(oldest[1]) + lane.options.maxAgeMs;
    await lane.scheduleFlush(Math.max(0, dueAt - Date.now()), `due-${dueAt}`);
  }
  if (report.submitted > 0 || report.adopted > 0 || (await lane.redis.zcard(lane.key('inflight'))) > 0) await lane.schedulePoll();
  return report;
}

async function submit(lane: BatchLane, claimId: string, customIds: string[], report: FlushReport): Promise<void> {
  const calls = await lane.calls(customIds);
  const requests: Anthropic.Messages.BatchCreateParams.Request[] = [];
  customIds.forEach((customId, i) => {
    const call = calls[i];
    if (call) requests.push({ custom_id: customId, params: call.params });
  });
  if (requests.length === 0) {
    await lane.finish('claim', claimId);
    return;
  }
  let batch: Anthropic.Messages.MessageBatch;
  try {
    batch = await lane.sdk.messages.batches.create({ requests });
  } catch (error) {
    const cls = classifyModelError(error);
    if (shouldRetry(cls.code)) {
      // An HTTP error answer means nothing was created: the calls go back to the buffer. Without an answer
      // (timeout, connection lost) the batch may exist: the claim stays and is resolved after its lease.
      if (cls.status !== undefined) await lane.release(claimId);
      lane.logger.warn({ code: cls.code, status: cls.status, calls: requests.length }, 'batch lane: submit failed, will retry');
      throw error;
    }
    // The API refused the batch as a whole: every call in it gets that error, as its direct call would have.
    lane.logger.error({ code: cls.code, status: cls.status, msg: cls.message, calls: requests.length }, 'batch lane: batch refused');
    const body = { type: 'error' as const, error: { type: errorTypeOf(error), message: cls.message }, request_id: null };
    await Promise.all(
      customIds.map((customId, i) => {
        const call = calls[i];
        return call ? lane.deliver(customId, call, { type: 'errored', error: body as Anthropic.ErrorResponse }) : Promise.resolve();
      }),
    );
    await lane.finish('claim', claimId);
    return;
  }
  await lane.record(claimId, batch.id);
  report.submitted += 1;
  report.calls += requests.length;
  lane.logger.info({ batchId: batch.id, calls: requests.length }, 'batch lane: batch submitted');
}

function errorTypeOf(error: unknown): string {
  const inner = (error as { error?: { error?: { type?: unknown } } } | undefined)?.error?.error;
  return typeof inner?.type === 'string' ? inner.type : 'invalid_request_error';
}

/** The newest unrecorded batch of `size` requests created since `since` (the batch a dead flusher submitted), if any. */
async function findOrphanBatch(lane: BatchLane, since: number, size: number): Promise<string | undefined> {
  const candidates: Anthropic.Messages.MessageBatch[] = [];
  for await (const batch of lane.sdk.messages.batches.list({ limit: 100 })) {
    if (Date.parse(batch.created_at) < since - SKEW_MS) break;
    const counts = batch.request_counts;
    const total = counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired;
    if (total === size) candidates.push(batch);
  }
  const seen = await lane.seen(candidates.map((b) => b.id));
  return candidates.find((_, i) => !seen[i])?.id;
}
