import type { BatchLane } from './batch-lane.js';
import type { BatchItemResult } from './batch-result.js';

export interface PollReport {
  ended: number;
  delivered: number;
  inflight: number;
}

/**
 * The poller job: retrieves every batch in flight; for each that ended, hands each result to its step (a
 * request missing from the results counts as expired) and then forgets the batch. Delivery is idempotent
 * (the result goes into the step's checkpoint, the step's job id is fixed by its attempt), so a poller killed
 * half-way through a batch simply delivers it again. Polls again while batches remain in flight.
 */
export async function pollBatches(lane: BatchLane): Promise<PollReport> {
  const report: PollReport = { ended: 0, delivered: 0, inflight: 0 };
  const inflight = await lane.inflight();
  for (const batchId of inflight) {
    const batch = await lane.sdk.messages.batches.retrieve(batchId);
    if (batch.processing_status !== 'ended') {
      report.inflight += 1;
      continue;
    }
    const results = new Map<string, BatchItemResult>();
    for await (const item of await lane.sdk.messages.batches.results(batchId)) results.set(item.custom_id, item.result);
    const customIds = await lane.batchIds(batchId);
    const calls = await lane.calls(customIds);
    await Promise.all(
      customIds.map((customId, i) => {
        const call = calls[i];
        if (!call) return Promise.resolve();
        report.delivered += 1;
        return lane.deliver(customId, call, results.get(customId) ?? { type: 'expired' });
      }),
    );
    await lane.finish('batch', batchId);
    report.ended += 1;
    lane.logger.info({ batchId, delivered: customIds.length, counts: batch.request_counts }, 'batch lane: batch ended, results delivered');
  }
  if (report.inflight > 0) await lane.schedulePoll();
  return report;
}
