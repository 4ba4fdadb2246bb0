import type { SessionStatus } from '@agentq/shared';
import { html, type SafeHtml } from '../http/html.js';

const STATUS_TONE: Record<SessionStatus, 'ok' | 'warn' | 'bad' | 'info' | 'idle'> = {
  queued: 'idle',
  running: 'info',
  awaiting_approval: 'warn',
  awaiting_input: 'warn',
  completed: 'ok',
  failed: 'bad',
  loop_detected: 'bad',
  budget_exceeded: 'bad',
  cancelled: 'idle',
};

export function statusPill(status: SessionStatus): SafeHtml {
  return html`<span class="pill ${STATUS_TONE[status]}">${status.replace(/_/g, ' ')}</span>`;
}

export function pill(text: string, tone: 'ok' | 'warn' | 'bad' | 'info' | 'idle'): SafeHtml {
  return html`<span class="pill ${tone}">${text}</span>`;
}

/** `2026-05-04 13:02:11Z`: absolute UTC, the same for every viewer and in the logs. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)}Z`;
}

export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatInt(n: number | undefined | null): string {
  return n === undefined || n === null ? '' : Math.round(n).toLocaleString('en-US');
}

export function formatUsd(n: number | undefined | null): string {
  if (n === undefined || n === null) return '';
  return n === 0 ? '$0' : n < 0.01 ? `$${n.toFixed(5)}` : `$${n.toFixed(4)}`;
}

export function formatPercent(ratio: number | undefined | null): string {
  return ratio === undefined || ratio === null || !Number.isFinite(ratio) ? '' : `${(ratio * 100).toFixed(ratio < 0.1 && ratio > 0 ? 1 : 0)}%`;
}

/** Pretty JSON for a `<pre>`, cut so one huge tool result cannot make a page megabytes long. */
export function prettyJson(value: unknown, maxChars = 20_000): string {
  let text: string;
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else {
    text = JSON.stringify(value, null, 2) ?? String(value);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text;
}

export function oneLine(value: unknown, maxChars = 120): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
}
