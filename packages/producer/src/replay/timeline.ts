import type { AgentEvent, Session, SessionError, SessionStatus, Usage } from '@agentq/shared';

/** One tool_use of a step, as the event log saw it. Inputs are the redacted ones the events carry. */
export interface TimelineToolCall {
  toolUseId: string;
  tool: string;
  input?: unknown;
  /** The result text, cut to the length the event keeps. */
  result?: string;
  isError: boolean;
  errorCode?: string;
  attempts?: number;
  durationMs?: number;
  /** False when the call was answered without running (invalid input, unknown tool, a guard's answer). */
  ran: boolean;
  at: number;
}

export interface TimelineModelCall {
  model: string;
  latencyMs?: number;
  stopReason?: string | null;
  usage?: { inputTokens?: number; outputTokens?: number; cacheReadTokens?: number; cacheWriteTokens?: number; costUsd?: number };
  at: number;
}

/** Anything that is neither the model call nor a tool call: loops, budgets, approvals, pauses, errors, the end. */
export interface TimelineDecision {
  type: AgentEvent['type'];
  at: number;
  data: Record<string, unknown>;
}

export interface TimelineStep {
  step: number;
  /** When the step's first job started (or its first event, for logs without `step_started`). */
  startedAt: number;
  /** Last event of the step minus `startedAt`. */
  durationMs: number;
  /** Step jobs that started (retries, resumes after approval, deferrals). */
  attempts: number;
  model?: TimelineModelCall;
  tools: TimelineToolCall[];
  decisions: TimelineDecision[];
}

export interface Timeline {
  sessionId: string;
  agent: string;
  tenant: string | null;
  forkedFrom: { sessionId: string; step: number } | null;
  createdAt: number;
  updatedAt: number;
  steps: TimelineStep[];
  final: { status: SessionStatus; steps: number; output: string | null; error: SessionError | null; usage: Usage };
  /** Events the timeline was built from. */
  events: number;
}

const STEP_NOISE = new Set<AgentEvent['type']>(['step_started', 'model_call', 'tool_call', 'tool_result', 'session_started']);

/**
 * A session's timeline, step by step, from its record and its event stream. Pure, so the CLI and the
 * dashboard render the same thing.
 */
export function buildTimeline(session: Session, events: AgentEvent[]): Timeline {
  const steps = new Map<number, TimelineStep>();
  const stepOf = (event: AgentEvent): TimelineStep => {
    let entry = steps.get(event.step);
    if (!entry) {
      entry = { step: event.step, startedAt: event.timestamp, durationMs: 0, attempts: 0, tools: [], decisions: [] };
      steps.set(event.step, entry);
    }
    entry.startedAt = Math.min(entry.startedAt, event.timestamp);
    entry.durationMs = Math.max(entry.durationMs, event.timestamp - entry.startedAt);
    return entry;
  };
  const calls = new Map<string, TimelineToolCall>();

  for (const event of [...events].sort((a, b) => a.timestamp - b.timestamp)) {
    const d = event.data;
    const entry = stepOf(event);
    switch (event.type) {
      case 'step_started':
        entry.attempts += 1;
        break;
      case 'model_call':
        entry.model = {
          model: String(d.model ?? ''),
          ...(typeof d.latencyMs === 'number' ? { latencyMs: d.latencyMs } : {}),
          stopReason: (d.stopReason as string | null | undefined) ?? null,
          ...(d.usage && typeof d.usage === 'object' ? { usage: d.usage as TimelineModelCall['usage'] } : {}),
          at: event.timestamp,
        };
        break;
      case 'tool_call':
      case 'tool_result': {
        const id = String(d.toolUseId ?? `${event.step}:${entry.tools.length}`);
        let call = calls.get(id);
        if (!call) {
          call = { toolUseId: id, tool: String(d.tool ?? ''), isError: false, ran: event.type === 'tool_call', at: event.timestamp };
          calls.set(id, call);
          entry.tools.push(call);
        }
        if ('input' in d) call.input = d.input;
        if (event.type === 'tool_result') {
          call.isError = d.isError === true;
          if (typeof d.result === 'string') call.result = d.result;
          if (typeof d.errorCode === 'string') call.errorCode = d.errorCode;
          if (typeof d.attempts === 'number') call.attempts = d.attempts;
          if (typeof d.durationMs === 'number') call.durationMs = d.durationMs;
          call.ran = d.ran !== false;
        }
        break;
      }
      default:
        if (!STEP_NOISE.has(event.type)) entry.decisions.push({ type: event.type, at: event.timestamp, data: d });
    }
  }

  return {
    sessionId: session.sessionId,
    agent: session.agent,
    tenant: session.tenant ?? null,
    forkedFrom: session.forkedFrom ?? null,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    steps: [...steps.values()].sort((a, b) => a.step - b.step),
    final: { status: session.status, steps: session.step, output: session.output ?? null, error: session.error ?? null, usage: session.usage },
    events: events.length,
  };
}
