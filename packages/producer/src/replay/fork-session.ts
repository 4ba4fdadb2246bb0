import { AgentqError, type HistoryEntry, type LimitsInput, type Session, type Stores } from '@agentq/shared';

export interface ForkOptions {
  /** The step the new session starts at: it keeps the history of steps before it and makes step k's model call again. */
  fromStep: number;
  /** Run the fork with another agent. @defaultValue the source session's agent */
  agent?: string;
  /** Limits of the fork. @defaultValue the source session's limits */
  limits?: LimitsInput;
  /** Merged over the source's metadata. @defaultValue {} */
  metadata?: Record<string, unknown>;
  /** Id of the new session. @defaultValue a fresh id */
  sessionId?: string;
}

/**
 * Creates (does not enqueue) a session that continues another one from step k: the first user message and
 * every history entry of steps before k are copied, the new session sits at step k, `queued`, with
 * `forkedFrom` set. Checkpoints are not copied, so step k calls the model afresh.
 */
export async function createFork(
  stores: Stores,
  sourceId: string,
  newSessionId: string,
  options: ForkOptions,
  /** The queue shard recorded on the fork (its `stores` are that shard's). @defaultValue none recorded */
  shard?: number,
): Promise<Session> {
  const source = await stores.sessions.get(sourceId);
  if (!source) throw new AgentqError('session_not_found', `no session ${sourceId}`);
  // A completed session's last step holds the final answer; forking after it would leave nothing to ask.
  const maxStep = source.status === 'completed' ? source.step - 1 : source.step;
  const k = options.fromStep;
  if (!Number.isInteger(k) || k < 0 || k > maxStep) {
    throw new AgentqError(
      'invalid_payload',
      `--from-step must be a whole number from 0 to ${Math.max(0, maxStep)} for session ${sourceId} (${source.status} at step ${source.step})`,
    );
  }
  const history = await stores.sessions.history(sourceId);
  // Entry 0 is the task (tagged step 0); it is kept even when forking from step 0.
  const kept: HistoryEntry[] = history.filter((entry, index) => index === 0 || entry.step < k);
  const now = Date.now();
  const session: Session = {
    sessionId: newSessionId,
    agent: options.agent ?? source.agent,
    status: 'queued',
    step: k,
    input: source.input,
    ...(source.tenant ? { tenant: source.tenant } : {}),
    metadata: { ...source.metadata, ...options.metadata },
    limits: options.limits ?? source.limits,
    createdAt: now,
    updatedAt: now,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    forkedFrom: { sessionId: sourceId, step: k },
    ...(shard !== undefined ? { shard } : {}),
  };
  const created = await stores.sessions.create(session, kept);
  if (!created) throw new AgentqError('invalid_payload', `session ${newSessionId} already exists`);
  return session;
}
