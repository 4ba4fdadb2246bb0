import { randomBytes } from 'node:crypto';
import { defaultErrorMessage, defaultErrorType, errorBody, invalidRequest, MockApiError } from './api-error.js';
import { newRequestId } from './ids.js';
import type { buildMessage } from './message-builder.js';
import type { BatchFailSpec } from './options.js';

/** What one request of a Message Batch comes to: a message, or the error the same request would get from `/v1/messages`. */
export type BatchAnswer =
  { ok: true; message: ReturnType<typeof buildMessage>; inputTokens: number; outputTokens: number } | { ok: false; error: MockApiError };

/** The API's limits on one batch: requests per batch and the `custom_id` rule. */
export const MAX_BATCH_REQUESTS = 100_000;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
/** Results stay available for 29 days after creation; a batch expires 24 hours after it was created. */
const EXPIRES_AFTER_MS = 24 * 3600 * 1000;

export type BatchItemResult =
  { type: 'succeeded'; message: unknown } | { type: 'errored'; error: ReturnType<typeof errorBody> } | { type: 'canceled' } | { type: 'expired' };

interface StoredBatch {
  id: string;
  createdAt: number;
  endsAt: number;
  cancelAt: number | null;
  results: Array<{ custom_id: string; result: BatchItemResult }>;
}

/** The wire shape of a Message Batch, field for field as the SDK's `MessageBatch` declares it. */
export interface WireBatch {
  id: string;
  type: 'message_batch';
  processing_status: 'in_progress' | 'canceling' | 'ended';
  request_counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  ended_at: string | null;
  created_at: string;
  expires_at: string;
  archived_at: null;
  cancel_initiated_at: string | null;
  results_url: string | null;
}

function newBatchId(): string {
  const bytes = randomBytes(22);
  const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return `msgbatch_01${Array.from(bytes, (b) => base62[b % 62]).join('')}`;
}

/**
 * The mock's Message Batches: each request is answered at creation (as `/v1/messages` would answer it), and
 * the answers are revealed when the batch ends `batchDelayMs` later. Faults from `batchFailNext` replace
 * the answers of the next items with `expired` or `errored`.
 */
export class BatchStore {
  private readonly batches = new Map<string, StoredBatch>();
  private failQueue: BatchFailSpec[] = [];

  setFailQueue(specs: readonly BatchFailSpec[]): void {
    this.failQueue = [...specs];
  }

  pendingFaults(): BatchFailSpec[] {
    return [...this.failQueue];
  }

  /** Validates the whole batch (400 on a bad shape, a bad or repeated `custom_id`), then answers every item. */
  create(body: unknown, delayMs: number, answer: (params: unknown) => BatchAnswer, now: number): StoredBatch {
    if (this.failQueue[0]?.result === 'refused') {
      const fault = this.failQueue.shift() as BatchFailSpec;
      const status = fault.status ?? 500;
      throw new MockApiError(status, fault.message ?? defaultErrorMessage(status), fault.type ?? defaultErrorType(status));
    }
    const requests = (body as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(requests)) throw invalidRequest('requests: Field required');
    if (requests.length === 0) throw invalidRequest('requests: List should have at least 1 item after validation, not 0');
    if (requests.length > MAX_BATCH_REQUESTS) throw invalidRequest(`requests: List should have at most ${MAX_BATCH_REQUESTS} items`);
    const seen = new Set<string>();
    requests.forEach((r: unknown, i) => {
      const id = (r as { custom_id?: unknown } | null)?.custom_id;
      if (typeof id !== 'string' || !CUSTOM_ID.test(id)) {
        throw invalidRequest(`requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
      }
      if (seen.has(id)) throw invalidRequest(`requests.${i}.custom_id: Duplicate custom_id "${id}" in batch`);
      seen.add(id);
      if (typeof (r as { params?: unknown }).params !== 'object' || (r as { params?: unknown }).params === null) {
        throw invalidRequest(`requests.${i}.params: Field required`);
      }
    });
    const results = requests.map((r: { custom_id: string; params: unknown }) => ({ custom_id: r.custom_id, result: this.answerItem(r.params, answer) }));
    const batch: StoredBatch = { id: newBatchId(), createdAt: now, endsAt: now + delayMs, cancelAt: null, results };
    this.batches.set(batch.id, batch);
    return batch;
  }

  private answerItem(params: unknown, answer: (params: unknown) => BatchAnswer): BatchItemResult {
    // A `refused` fault waits for the next create; items only take `expired` and `errored`.
    const fault = this.failQueue[0]?.result === 'refused' ? undefined : this.failQueue.shift();
    if (fault?.result === 'expired') return { type: 'expired' };
    if (fault) {
      const status = fault.status ?? 500;
      return { type: 'errored', error: errorBody(fault.type ?? defaultErrorType(status), fault.message ?? defaultErrorMessage(status), newRequestId()) };
    }
    const answered = answer(params);
    if (answered.ok) return { type: 'succeeded', message: answered.message };
    return { type: 'errored', error: errorBody(answered.error.type, answered.error.message, newRequestId()) };
  }

  get(id: string): StoredBatch {
    const batch = this.batches.get(id);
    if (!batch) throw new MockApiError(404, `message_batch_id: no batch with id ${id}`, 'not_found_error');
    return batch;
  }

  /** Newest first, as the API lists them. */
  list(): StoredBatch[] {
    return [...this.batches.values()].reverse();
  }

  /** Starts cancelling: items not yet ended end `canceled`; the batch answers `canceling` until it ends. */
  cancel(id: string, now: number): StoredBatch {
    const batch = this.get(id);
    if (now < batch.endsAt && batch.cancelAt === null) {
      batch.cancelAt = now;
      batch.results = batch.results.map((r) => ({ custom_id: r.custom_id, result: { type: 'canceled' } }));
      batch.endsAt = now;
    }
    return batch;
  }

  delete(id: string, now: number): void {
    const batch = this.get(id);
    if (now < batch.endsAt) throw invalidRequest(`Message Batch ${id} is still processing; cancel it first or wait until it ends`);
    this.batches.delete(id);
  }

  /** The results once ended; before that the API has no `results_url`. */
  results(id: string, now: number): StoredBatch['results'] {
    const batch = this.get(id);
    if (now < batch.endsAt) throw invalidRequest(`Message Batch ${id} has not ended yet; results are not available`);
    return batch.results;
  }

  toWire(batch: StoredBatch, now: number, baseUrl: string): WireBatch {
    const ended = now >= batch.endsAt;
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    for (const r of batch.results) {
      if (!ended) counts.processing++;
      else counts[r.result.type]++;
    }
    // A cancelled batch answers `canceling` to the cancel call itself, then `ended`.
    const status = !ended ? 'in_progress' : batch.cancelAt === now ? 'canceling' : 'ended';
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: status,
      request_counts: counts,
      ended_at: status === 'ended' ? new Date(batch.endsAt).toISOString() : null,
      created_at: new Date(batch.createdAt).toISOString(),
      expires_at: new Date(batch.createdAt + EXPIRES_AFTER_MS).toISOString(),
      archived_at: null,
      cancel_initiated_at: batch.cancelAt === null ? null : new Date(batch.cancelAt).toISOString(),
      results_url: status === 'ended' ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}
