import type { Session } from '@agentq/shared';

/** A session without its input and metadata: what lists show and return. */
export interface SessionSummary {
  sessionId: string;
  agent: string;
  tenant: string | null;
  status: Session['status'];
  steps: number;
  usage: Session['usage'];
  error: Session['error'] | null;
  cancelRequested: boolean;
  createdAt: number;
  updatedAt: number;
}

export function summarize(session: Session): SessionSummary {
  return {
    sessionId: session.sessionId,
    agent: session.agent,
    tenant: session.tenant ?? null,
    status: session.status,
    steps: session.step,
    usage: session.usage,
    error: session.error ?? null,
    cancelRequested: session.cancelRequested === true,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}
