import { randomUUID } from 'node:crypto';
import { type AgentEvent, type AgentEventType, type EventBody, type EventData, type EventInput, eventBody } from '@agentq/shared';
import { type CheckpointEvents, outboxField, type StepCheckpoint } from '@agentq/shared/internal';
import type { StepDeps } from './step-deps.js';

type EventTags = Pick<EventInput, 'sessionId' | 'step' | 'jobId' | 'workerId' | 'agent' | 'tenant'>;

/**
 * The events of one step, buffered and written with the checkpoint they belong to. A checkpoint script
 * appends them to the session's stream in the same atomic write as the checkpoint and keeps them in an outbox
 * field; the worker then copies them to the global stream (another slot) and clears the outbox. A worker killed
 * in between leaves the outbox for the step's next attempt to copy, so no event of a checkpoint is ever lost.
 * Events no checkpoint took (the step failed or ended without one) are appended when the step ends.
 */
export class StepEvents {
  private buffer: EventInput[] = [];
  private readonly writes: Array<Promise<unknown>> = [];
  private readonly writeId = randomUUID().slice(0, 12);
  private writeCount = 0;
  /** Outbox fields copied to the global stream, cleared when the step settles. */
  private published: string[] = [];
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

  /** After the checkpoint script: copies what it appended to the global stream, then clears its outbox field. */
  afterCheckpoint(events: CheckpointEvents, written: boolean): void {
    const appended = written ? [...events.always, ...events.ifWritten] : events.always;
    if (appended.length === 0) return;
    const built = this.prepared.get(events);
    const observed = built && (written ? [...built.always, ...built.ifWritten] : built.always);
    const field = events.outboxField;
    this.writes.push(
      copyOutbox(this.deps, this.tags.sessionId, this.tags.step, field, appended, observed).then((copied) => {
        if (copied) this.published.push(field);
      }),
    );
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
   * finish), so the appends reach Redis ahead of the transition's script on the same connection, and whoever
   * sees the transition (`producer.wait`, the next step) finds the step's events before it, at no extra
   * round trip. The step still waits for them before its job ends.
   */
  sendNow(): void {
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
    const rest = this.buffer;
    this.buffer = [];
    for (const event of rest) this.writes.push(this.deps.stores.events.append(event));
    await Promise.all(this.writes);
    clearCopied(this.deps, this.tags.sessionId, this.tags.step, this.published);
    this.published = [];
  }
}

/** Copies every outbox field of a checkpoint hash to the global stream and clears the copied ones. */
export async function flushOutbox(deps: StepDeps, sessionId: string, step: number, checkpoint: StepCheckpoint): Promise<void> {
  const copied = await Promise.all(
    checkpoint.outbox().map(async ({ field, encoded: raw }) => {
      let encoded: string[][];
      try {
        encoded = JSON.parse(raw) as string[][];
      } catch {
        encoded = [];
      }
      return (await copyOutbox(deps, sessionId, step, field, encoded)) ? [field] : [];
    }),
  );
  clearCopied(deps, sessionId, step, copied.flat());
}

/** Copies one outbox's events to the global stream; false when the copy failed (the outbox stays for a retry). */
function copyOutbox(deps: StepDeps, sessionId: string, step: number, field: string, encoded: string[][], observed?: readonly AgentEvent[]): Promise<boolean> {
  // The outbox field names the write (and so its events) uniquely: a second copy of it appends nothing.
  return deps.stores.events.publish(`${sessionId}|${step}|${field}`, encoded, observed);
}

/**
 * Clears copied outbox fields in one command, not awaited: their events are in the global stream, and a field
 * left by a lost clear is copied again by a later read of the checkpoint, which appends nothing.
 */
function clearCopied(deps: StepDeps, sessionId: string, step: number, fields: readonly string[]): void {
  if (fields.length === 0) return;
  deps.stores.sessions.checkpoints.clearOutbox(sessionId, step, fields).catch(() => undefined);
}
