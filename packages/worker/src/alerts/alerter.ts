import type { AgentEvent, EventLog, Logger } from '@agentq/shared';
import type { Alert } from './alert.js';
import { alertForEvent } from './alert-for-event.js';
import { FailureRateMonitor, type FailureRateOptions } from './failure-rate-monitor.js';
import { toSlackPayload } from './slack-payload.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

export interface AlertOptions extends Omit<WebhookSenderOptions, 'url' | 'logger'> {
  /** Where alerts are POSTed (a Slack incoming webhook or anything taking the same JSON). @defaultValue env AGENTQ_ALERT_WEBHOOK_URL */
  webhookUrl: string;
  /** The failure-rate alert; `false` turns it off. @defaultValue { threshold: 0.5, windowMs: 300000, minSessions: 10 } */
  failureRate?: FailureRateOptions | false;
  /** Which alert kinds are sent. @defaultValue every kind */
  kinds?: Array<Alert['kind']>;
}

/** Watches this process's events and posts alerts to a webhook, never blocking the step that emitted them. */
export class Alerter {
  readonly sender: WebhookSender;
  private readonly monitor: FailureRateMonitor | undefined;
  private readonly kinds: Set<Alert['kind']> | undefined;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(options: AlertOptions, logger?: Logger) {
    this.sender = new WebhookSender({ ...options, url: options.webhookUrl, ...(logger ? { logger } : {}) });
    this.monitor = options.failureRate === false ? undefined : new FailureRateMonitor(options.failureRate ?? {});
    this.kinds = options.kinds ? new Set(options.kinds) : undefined;
  }

  /** Subscribes to an event log's in-process listeners. */
  attach(events: EventLog): this {
    // A sharded worker attaches once per shard's event log.
    this.unsubscribes.push(events.onEvent((event) => this.observe(event)));
    return this;
  }

  observe(event: AgentEvent): void {
    for (const alert of [alertForEvent(event), this.monitor?.observe(event)]) {
      if (alert && (!this.kinds || this.kinds.has(alert.kind))) this.sender.send(toSlackPayload(alert));
    }
  }

  async close(graceMs?: number): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.sender.close(graceMs);
  }
}
