/** One `POST /v1/messages` the mock received, answered or rejected. */
export interface RecordedRequest {
  /** Arrival time, ms since the epoch. */
  at: number;
  /** HTTP status answered (200 for a stream, even one that failed mid-way). */
  status: number;
  /** `request-id` header of the answer. */
  requestId: string;
  /** `model` of the request, or null when the body had none. */
  model: string | null;
  /** Input tokens billed (uncached input + cache writes + cache reads); 0 when the body was invalid. */
  inputTokens: number;
  /** Output tokens generated; 0 for an error. */
  outputTokens: number;
  /** Error type answered, including one sent mid-stream; absent on success. */
  error?: string;
  /** The parsed JSON body (the raw text when it was not JSON; null when too large to keep). */
  body: unknown;
}

/**
 * Requests in arrival order, keeping at most `limit` of the newest. A request
 * is logged when its answer is complete, so a slow stream that arrived first
 * is slotted in before quicker requests that overtook it.
 */
export class RequestLog {
  private entries: { seq: number; entry: RecordedRequest }[] = [];
  private nextSeq = 0;
  limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Reserves the arrival position of a request; pass it to {@link add}. */
  arrive(): number {
    return this.nextSeq++;
  }

  add(seq: number, entry: RecordedRequest): void {
    let i = this.entries.length;
    while (i > 0 && (this.entries[i - 1]?.seq ?? -1) > seq) i--;
    this.entries.splice(i, 0, { seq, entry });
    const excess = this.entries.length - this.limit;
    if (excess > 0) this.entries.splice(0, excess);
  }

  list(): RecordedRequest[] {
    return this.entries.map((e) => e.entry);
  }

  clear(): void {
    this.entries = [];
  }
}
