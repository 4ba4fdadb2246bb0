import { randomUUID } from 'node:crypto';
import { type AgentEvent, type AgentEventType, type EventBody, type EventData, type EventInput, eventBody } from '@agentq/shared';
import { type CheckpointEvents, outboxField, type PublishedOutbox, type StepCheckpoint } from '@agentq/shared/internal';
import type { StepDeps } from './step-deps.js';

type EventTags = Pick<EventInput, 'sessionId' | 'step' | 'jobId' | 'workerId' | 'agent' | 'tenant'>;

/**
 * How long a checkpoint's events may wait to be copied to the global stream with the rest of the step's. The
 * step's state transition (commit, park, end) copies whatever waits, and usually comes within a millisecond of
 * the model checkpoint (a fast tool runs in between): one copy per step instead of one per checkpoint. A slow
 * tool delays the model call's events on the global stream by this much; the session's own stream has them
 * with the checkpoint.
 */
export const COPY_HOLD_MS = 25;

/**
 * The events of one step, buffered and written with the checkpoint they belong to. A checkpoint script
 * appends them to the session's stream in the same atomic write as the checkpoint and keeps them in an outbox
 * field; the worker then copies them to the global stream (another slot) and clears the outbox. A worker killed
 * in between leaves the outbox for the step's next attempt to copy, so no event of a checkpoint is ever lost.
 * The copies of a step's checkpoints wait for each other (at most {@link COPY_HOLD_MS}) and go out as one.
 * Events no checkpoint took (the step failed or ended without one) are appended when the step ends.
 */
export class StepEvents {
  private buffer: EventInput[] = [];
  private readonly writes: Array<Promise<unknown>> = [];
  private readonly writeId = randomUUID().slice(0, 12);
  private writeCount = 0;
  /** Outbox fields copied to the global stream, cleared when the step settles. */
  private published: string[] = [];
  /** Checkpoint outboxes waiting to be copied together (see {@link copyWaiting}). */
  private waiting: Array<PublishedOutbox & { field: string }> = [];
  private holdTimer: NodeJS.Timeout | undefined;
  /** The events of each checkpoint write as built here, for the in-process observers once they are published. */
  private readonly prepared = new WeakMap<CheckpointEvents, { always: AgentEvent[]; ifWritten: AgentEvent[] }>();

  constructor(
    private readonly deps: StepDeps,
    private readonly tags: EventTags,
  ) {}

  emit<T extends AgentEventType>(type: T, data: EventData<T>): void {
    this.buffer.push({ ...this.tags, ...eventBody(type, data), timestamp: Date.now() });
  }

  /** Takes the buffered events, plus `own` (written only by the writer whose value is stored), for a checkpoint script. */
  forCheckpoint(own: EventBody[] = []): CheckpointEvents {
    const log = this.deps.stores.events;
    const always = this.buffer.map((event) => log.prepare(event));
    this.buffer = [];
    this.writeCount += 1;
    const ifWritten = own.map((body) => log.prepare({ ...this.tags, ...body, timestamp: Date.now() }));
    const events: CheckpointEvents = {
      maxLen: log.sessionMaxLen,
      outboxField: outboxField(`${this.writeId}:${this.writeCount}`),
      always: always.map((e) => e.fields),
      ifWritten: ifWritten.map((e) => e.fields),
    };
    this.prepared.set(events, { always: always.map((e) => e.event), ifWritten: ifWritten.map((e) => e.event) });
    return events;
  }

  /**
   * After the checkpoint script: its events wait to be copied to the global stream with those of the step's
   * other checkpoints, until the step's next state transition or for {@link COPY_HOLD_MS}, whichever is first.
   */
  afterCheckpoint(events: CheckpointEvents, written: boolean): void {
    const appended = written ? [...events.always, ...events.ifWritten] : events.always;
    if (appended.length === 0) return;
    const built = this.prepared.get(events);
    const observed = built && (written ? [...built.always, ...built.ifWritten] : built.always);
    const field = events.outboxField;
    this.waiting.push({ field, id: outboxId(this.tags.sessionId, this.tags.step, field), encoded: appended, events: observed });
    this.holdTimer ??= setTimeout(() => this.copyWaiting(), COPY_HOLD_MS).unref();
  }

  /** A write of the step that needs no awaiting now (it must not reject): the step waits for it before its job ends. */
  track(write: Promise<unknown>): void {
    this.writes.push(write);
  }

  /** Copies the outbox fields a dead attempt left in a checkpoint hash. */
  flushOutbox(step: number, checkpoint: StepCheckpoint): void {
    this.writes.push(flushOutbox(this.deps, this.tags.sessionId, step, checkpoint));
  }

  /**
   * Sends what is buffered now, without waiting: called just before a state transition (commit, park,
   * finish), so the appends (and the copies of the step's checkpoints' events) reach Redis ahead of the
   * transition's script on the same connection, and whoever sees the transition (`producer.wait`, the next
   * step) finds the step's events before it, at no extra round trip. The step still waits for them before
   * its job ends.
   */
  sendNow(): void {
    this.copyWaiting();
    const rest = this.buffer;
    this.buffer = [];
    for (const event of rest) this.writes.push(this.deps.stores.events.append(event));
  }

  /**
   * At the session's end, after its retention was applied: sends the terminal event and then gives the
   * session's stream its expiry, since that append may be the one that created it.
   */
  sendFinal(sessionTtlMs: number): void {
    this.sendNow();
    if (sessionTtlMs > 0) this.writes.push(this.deps.stores.redis.pexpire(this.deps.stores.keys.sessionEvents(this.tags.sessionId), sessionTtlMs));
  }

  /**
   * Appends what no checkpoint took and waits for every write of the step; then clears the outbox fields that
   * were copied, in one command that is not awaited. Sent last, it leaves beside the job's completion, not in a
   * round trip of its own.
   */
  async settle(): Promise<void> {
    this.sendNow();
    await Promise.all(this.writes);
    clearCopied(this.deps, this.tags.sessionId, this.tags.step, this.published);
    this.published = [];
  }

  /** Copies the waiting checkpoints' events to the global stream in one script; their fields are cleared at settle. */
  private copyWaiting(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const outboxes = this.waiting;
    if (outboxes.length === 0) return;
    this.waiting = [];
    this.writes.push(
      this.deps.stores.events.publish(outboxes).then((copied) => {
        if (copied) this.published.push(...fieldsOf(outboxes));
      }),
    );
  }
}

/** Copies every outbox field of a checkpoint hash to the global stream, in one script, and clears them. */
export async function flushOutbox(deps: StepDeps, sessionId: string, step: number, checkpoint: StepCheckpoint): Promise<void> {
  const outboxes = checkpoint.outbox().map(({ field, encoded: raw }) => {
    let encoded: string[][];
    try {
      encoded = JSON.parse(raw) as string[][];
    } catch {
      encoded = [];
    }
    return { field, id: outboxId(sessionId, step, field), encoded };
  });
  if (outboxes.length > 0 && (await deps.stores.events.publish(outboxes))) clearCopied(deps, sessionId, step, fieldsOf(outboxes));
}

function fieldsOf(outboxes: ReadonlyArray<{ field: string }>): string[] {
  return outboxes.map((outbox) => outbox.field);
}

/** The outbox field names the write (and so its events) uniquely: a second copy of it appends nothing. */
function outboxId(sessionId: string, step: number, field: string): string {
  return `${sessionId}|${step}|${field}`;
}

/**
 * Clears copied outbox fields in one command, not awaited: their events are in the global stream, and a field
 * left by a lost clear is copied again by a later read of the checkpoint, which appends nothing.
 */
function clearCopied(deps: StepDeps, sessionId: string, step: number, fields: readonly string[]): void {
  if (fields.length === 0) return;
  deps.stores.sessions.checkpoints.clearOutbox(sessionId, step, fields).catch(() => undefined);
}
