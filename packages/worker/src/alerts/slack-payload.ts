import type { Alert } from './alert.js';

/** The webhook body: Slack-compatible (`text` for any receiver, `blocks` for Slack's layout). */
export interface SlackPayload {
  text: string;
  blocks?: Array<Record<string, unknown>>;
  /** The alert itself, for receivers that are not Slack. Slack ignores unknown fields. */
  agentq: Alert;
}

export function toSlackPayload(alert: Alert): SlackPayload {
  const text = `:rotating_light: *${alert.title}*: ${alert.summary}`;
  const fields = Object.entries(alert.fields)
    .slice(0, 10) // Slack allows at most 10 fields per section
    .map(([key, value]) => ({ type: 'mrkdwn', text: `*${key}*\n${String(value)}` }));
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: alert.title } },
      { type: 'section', text: { type: 'mrkdwn', text: alert.summary } },
      ...(fields.length > 0 ? [{ type: 'section', fields }] : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `agentq · ${alert.kind} · ${new Date(alert.timestamp).toISOString()}` }] },
    ],
    agentq: alert,
  };
}
