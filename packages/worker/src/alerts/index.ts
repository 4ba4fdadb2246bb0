export type { Alert } from './alert.js';
export { alertForEvent } from './alert-for-event.js';
export { Alerter, type AlertOptions } from './alerter.js';
export { FailureRateMonitor, type FailureRateOptions } from './failure-rate-monitor.js';
export { toSlackPayload, type SlackPayload } from './slack-payload.js';
export { WebhookSender, type WebhookSenderOptions, type WebhookSenderStats } from './webhook-sender.js';
