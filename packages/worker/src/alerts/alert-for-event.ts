import { type AgentEvent, truncateText } from '@agentq/shared';
import type { Alert } from './alert.js';

/**
 * The alert an event raises, if any. A session's end raises exactly one alert chosen by its final status, so
 * a loop or a budget stop is not also reported as a plain failure.
 */
export function alertForEvent(event: AgentEvent): Alert | undefined {
  const base = { session: event.sessionId, agent: event.agent ?? 'unknown', step: event.step, ...(event.tenant ? { tenant: event.tenant } : {}) };
  switch (event.type) {
    case 'session_failed': {
      const { error } = event.data;
      const status = event.data.status ?? 'failed';
      const code = error?.code ?? status;
      const message = truncateText(error?.message ?? '', 300);
      if (status === 'loop_detected') {
        return {
          kind: 'loop_detected',
          title: 'Agent loop detected',
          summary: `Session ${event.sessionId} (${base.agent}) was stopped repeating the same tool call. ${message}`.trim(),
          fields: { ...base, code },
          timestamp: event.timestamp,
        };
      }
      if (status === 'budget_exceeded') {
        return {
          kind: 'budget_exceeded',
          title: 'Agent budget exceeded',
          summary: `Session ${event.sessionId} (${base.agent}) hit its ${code} budget. ${message}`.trim(),
          fields: { ...base, code },
          timestamp: event.timestamp,
        };
      }
      return {
        kind: 'session_failed',
        title: 'Agent session failed',
        summary: `Session ${event.sessionId} (${base.agent}) failed: ${code}. ${message}`.trim(),
        fields: { ...base, code },
        timestamp: event.timestamp,
      };
    }
    case 'approval_requested':
      return {
        kind: 'approval_requested',
        title: 'Approval requested',
        summary: `Session ${event.sessionId} (${base.agent}) wants to run ${event.data.tool} (risk ${event.data.risk}) and waits for a decision.`,
        fields: { ...base, tool: event.data.tool, approval: event.data.approvalId },
        timestamp: event.timestamp,
      };
    default:
      return undefined;
  }
}
