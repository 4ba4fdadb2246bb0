/** One alert, before it is formatted for a webhook. */
export interface Alert {
  kind: 'session_failed' | 'loop_detected' | 'budget_exceeded' | 'approval_requested' | 'failure_rate';
  title: string;
  /** One or two lines for people. */
  summary: string;
  /** Key facts shown as fields: session, agent, step, error code… */
  fields: Record<string, string | number>;
  timestamp: number;
}
