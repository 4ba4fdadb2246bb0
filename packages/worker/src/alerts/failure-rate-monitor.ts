import type { AgentEvent } from '@agentq/shared';
import type { Alert } from './alert.js';

export interface FailureRateOptions {
  /** Alert when failed / finished sessions in the window is above this (0..1). @defaultValue 0.5 */
  threshold?: number;
  /** Sliding window, in ms. @defaultValue 300000 (5 minutes) */
  windowMs?: number;
  /** No alert until the window holds at least this many finished sessions. @defaultValue 10 */
  minSessions?: number;
  /** After an alert, stay quiet this long. @defaultValue the window */
  cooldownMs?: number;
}

const FAILED_STATUSES = new Set(['failed', 'loop_detected', 'budget_exceeded']);

/**
 * The failure rate of sessions this process saw finish, over a sliding window. Each worker sees only its own
 * sessions; the fleet-wide rate is the Prometheus rule's job (deploy/prometheus/agentq-alerts.yml).
 */
export class FailureRateMonitor {
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly minSessions: number;
  private readonly cooldownMs: number;
  private readonly finishes: Array<{ at: number; failed: boolean }> = [];
  private lastAlertAt = Number.NEGATIVE_INFINITY;

  constructor(options: FailureRateOptions = {}) {
    this.threshold = options.threshold ?? 0.5;
    this.windowMs = options.windowMs ?? 300_000;
    this.minSessions = options.minSessions ?? 10;
    this.cooldownMs = options.cooldownMs ?? this.windowMs;
  }

  /** Records a session end; returns an alert when the rate crosses the threshold. */
  observe(event: AgentEvent, now = Date.now()): Alert | undefined {
    if (event.type !== 'session_completed' && event.type !== 'session_failed' && event.type !== 'session_cancelled') return undefined;
    if (event.type === 'session_cancelled') return undefined; // a cancel is a person's choice, not a failure
    this.finishes.push({ at: now, failed: event.type === 'session_failed' && FAILED_STATUSES.has(String(event.data.status ?? 'failed')) });
    while (this.finishes.length > 0 && (this.finishes[0] as { at: number }).at < now - this.windowMs) this.finishes.shift();
    const total = this.finishes.length;
    if (total < this.minSessions || now - this.lastAlertAt < this.cooldownMs) return undefined;
    const failed = this.finishes.filter((f) => f.failed).length;
    const rate = failed / total;
    if (rate <= this.threshold) return undefined;
    this.lastAlertAt = now;
    const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
    return {
      kind: 'failure_rate',
      title: 'Agent failure rate high',
      summary: `${failed} of the last ${total} sessions failed (${pct(rate)}) in ${Math.round(this.windowMs / 1000)}s, above ${pct(this.threshold)}.`,
      fields: { failed, finished: total, rate: Number(rate.toFixed(4)), threshold: this.threshold, windowSeconds: Math.round(this.windowMs / 1000) },
      timestamp: now,
    };
  }
}
