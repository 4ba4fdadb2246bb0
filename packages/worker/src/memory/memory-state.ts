import { type Stores } from '@agentq/shared';
import { runWorkerScript } from '../redis/worker-scripts.js';

/** A session's rolling summary as stored in `keys.memory(sessionId)`. */
export interface MemoryState {
  summary: string;
  /** Index of the last history entry folded into the summary (0 = none; entry 0, the task, never is). */
  foldedThrough: number;
  /** Step that made the summary: messages produced before it were sent with another prefix. */
  foldedAt?: number;
}

export const EMPTY_MEMORY: MemoryState = { summary: '', foldedThrough: 0 };

/** The memory hash as stored: the rolling summary's fields and the token calibration (see token-calibration.ts). */
export async function readMemoryHash(stores: Stores, sessionId: string): Promise<Record<string, string>> {
  return stores.redis.hgetall(stores.keys.memory(sessionId));
}

/** The state a memory hash holds (its fields as HGETALL returns them; empty: no summary yet). */
export function memoryStateOf(raw: Record<string, string>): MemoryState {
  const foldedThrough = Number.parseInt(raw.foldedThrough ?? '0', 10) || 0;
  const foldedAt = raw.step === undefined ? undefined : Number.parseInt(raw.step, 10);
  return { summary: raw.summary ?? '', foldedThrough, ...(foldedAt !== undefined && Number.isFinite(foldedAt) ? { foldedAt } : {}) };
}

/** Stores a newer summary; an older one (a late duplicate) is ignored. */
export async function advanceMemoryState(stores: Stores, sessionId: string, step: number, state: MemoryState): Promise<boolean> {
  const stored = await runWorkerScript<number>(
    stores.redis,
    'advanceMemory',
    [stores.keys.memory(sessionId)],
    [state.foldedThrough, state.summary, step, Date.now()],
  );
  return stored === 1;
}
