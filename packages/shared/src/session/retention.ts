import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ENV } from '../config/env-keys.js';
import { envInt, parseEnv } from '../config/parse-env.js';
import type { Keys } from '../redis/keys.js';

const DAY_MS = 24 * 3600 * 1000;

/** How long a finished session's data stays in Redis. 0 keeps it forever. */
export interface Retention {
  /**
   * History, checkpoints, rolling summary, loop window, per-session events and approvals of a session in a
   * terminal state expire this long after it ended (env `AGENTQ_SESSION_TTL_MS`). @defaultValue 604800000 (7 days)
   */
  sessionTtlMs: number;
  /**
   * The session record (status, output, error, usage: what `producer.get` and `wait` read) expires this
   * long after the session ended (env `AGENTQ_RESULT_TTL_MS`). @defaultValue 2592000000 (30 days)
   */
  resultTtlMs: number;
  /**
   * A step's checkpoint expires this long after the step committed: only a retry of that step or the next
   * step's token calibration reads it, and the next step's commit deletes it unless it still holds events a
   * dead worker left (env `AGENTQ_CHECKPOINT_TTL_MS`). @defaultValue 86400000 (1 day)
   */
  checkpointTtlMs: number;
}

export const DEFAULT_RETENTION: Retention = { sessionTtlMs: 7 * DAY_MS, resultTtlMs: 30 * DAY_MS, checkpointTtlMs: DAY_MS };

export const RetentionEnv = z.object({
  [ENV.SESSION_TTL_MS]: envInt(0),
  [ENV.RESULT_TTL_MS]: envInt(0),
  [ENV.CHECKPOINT_TTL_MS]: envInt(0),
});

/** Retention from the environment; a bad value throws `config_invalid` naming the variable. */
export function retentionFromEnv(env: NodeJS.ProcessEnv = process.env): Retention {
  const parsed = parseEnv(RetentionEnv, env);
  return {
    sessionTtlMs: parsed[ENV.SESSION_TTL_MS] ?? DEFAULT_RETENTION.sessionTtlMs,
    resultTtlMs: parsed[ENV.RESULT_TTL_MS] ?? DEFAULT_RETENTION.resultTtlMs,
    checkpointTtlMs: parsed[ENV.CHECKPOINT_TTL_MS] ?? DEFAULT_RETENTION.checkpointTtlMs,
  };
}

/** Every per-session key but the session record and the step checkpoints. */
export async function sessionDataKeys(redis: Redis, keys: Keys, sessionId: string): Promise<string[]> {
  const approvalIds = await redis.smembers(keys.sessionApprovals(sessionId));
  return [
    keys.history(sessionId),
    keys.memory(sessionId),
    keys.loopState(sessionId),
    keys.sessionEvents(sessionId),
    keys.sessionApprovals(sessionId),
    keys.questions(sessionId),
    keys.mcpTools(sessionId),
    keys.sessionDeltas(sessionId),
    ...approvalIds.map((id) => keys.approval(sessionId, id)),
  ];
}

/**
 * Sets the expiries of a session that reached a terminal state: its data after `sessionTtlMs`, its record
 * (the final result) after `resultTtlMs`. PEXPIRE on a key that does not exist is a no-op, so every
 * possible key is named; events appended after this keep the stream's expiry.
 */
export async function applyRetention(redis: Redis, keys: Keys, sessionId: string, retention: Retention): Promise<void> {
  if (retention.sessionTtlMs <= 0 && retention.resultTtlMs <= 0) return;
  const step = Number.parseInt((await redis.hget(keys.session(sessionId), 'step')) ?? '0', 10) || 0;
  const pipeline = redis.pipeline();
  if (retention.sessionTtlMs > 0) {
    for (const key of await sessionDataKeys(redis, keys, sessionId)) pipeline.pexpire(key, retention.sessionTtlMs);
  }
  const checkpointTtl = committedCheckpointTtl(retention);
  if (checkpointTtl > 0) {
    // The finishing step wrote its checkpoint at `step`, or at `step - 1` when the step count was recorded
    // as step + 1; name one past it to be safe. Older ones were given this expiry by their commit, or deleted
    // by the commit after it.
    for (let s = Math.max(0, step - 2); s <= step + 1; s++) pipeline.pexpire(keys.checkpoint(sessionId, s), checkpointTtl);
  }
  if (retention.resultTtlMs > 0) pipeline.pexpire(keys.session(sessionId), Math.max(retention.resultTtlMs, retention.sessionTtlMs));
  await pipeline.exec();
}

/**
 * The expiry a committed step's checkpoint gets (0 = none): the checkpoint TTL, or the session's data TTL when
 * that is shorter, which is what the session's end would give it.
 */
export function committedCheckpointTtl(retention: Retention): number {
  const ttl = Math.min(...[retention.sessionTtlMs, retention.checkpointTtlMs].filter((t) => t > 0));
  return Number.isFinite(ttl) ? ttl : 0;
}

/** Lets a committed step's checkpoint expire early: after the commit only the next step reads it. */
export async function expireCommittedCheckpoint(redis: Redis, keys: Keys, sessionId: string, step: number, retention: Retention): Promise<void> {
  if (retention.checkpointTtlMs <= 0) return;
  await redis.pexpire(keys.checkpoint(sessionId, step), retention.checkpointTtlMs);
}
