import { z } from 'zod';

export const AgentEventType = z.enum([
  'session_started',
  'session_completed',
  'session_failed',
  'session_cancelled',
  'step_started',
  'step_stale',
  'model_call',
  'model_error',
  'batch_parked',
  'usage_clamped',
  'rate_limit_pause',
  'governor_wait',
  'summary_created',
  'summary_failed',
  'tool_call',
  'tool_result',
  'tool_outcome_unknown',
  'circuit_opened',
  'circuit_half_open',
  'circuit_closed',
  'loop_warning',
  'loop_detected',
  'budget_warning',
  'budget_exceeded',
  'approval_requested',
  'approval_decided',
  'input_requested',
  'input_received',
  'job_invalid',
  'session_reconciled',
  'limits_clamped',
  'step_deferred',
]);
export type AgentEventType = z.infer<typeof AgentEventType>;

export const AgentEvent = z.object({
  sessionId: z.string(),
  step: z.number().int().nonnegative(),
  type: AgentEventType,
  data: z.record(z.string(), z.unknown()),
  timestamp: z.number(),
  jobId: z.string().optional(),
  workerId: z.string().optional(),
  /** The session's agent, so stats and metrics can group without a session lookup. */
  agent: z.string().optional(),
  /** The session's tenant, when it has one. */
  tenant: z.string().optional(),
  /** Stream entry id, set when read back. */
  id: z.string().optional(),
});
export type AgentEvent = z.infer<typeof AgentEvent>;
