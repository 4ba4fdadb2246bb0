import { type Session, type SessionResult, toSessionResult } from '@agentq/shared';

/** A session without its input, output and metadata: what `agentq sessions --json` and the HTTP API list. */
export interface SessionSummary extends Omit<SessionResult, 'output'> {
  agent: string;
  tenant: string | null;
  cancelRequested: boolean;
  createdAt: number;
  updatedAt: number;
}

export function summarize(session: Session): SessionSummary {
  const { output: _output, ...result } = toSessionResult(session);
  return {
    ...result,
    agent: session.agent,
    tenant: session.tenant ?? null,
    cancelRequested: session.cancelRequested === true,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}
