import {
  type AgentEvent,
  type EventBody,
  eventBody,
  type Session,
  type SessionError,
  type SessionStatus,
  type UnknownAgentEvent,
  type Usage,
} from '@agentq/shared';

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
export type TimelineDecision = { at: number } & (EventBody | Pick<UnknownAgentEvent, 'type' | 'data' | 'originalType'>);

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
    const entry = stepOf(event);
    switch (event.type) {
      case 'step_started':
        entry.attempts += 1;
        break;
      case 'model_call': {
        const d = event.data;
        entry.model = {
          model: d.model,
          ...(d.latencyMs !== undefined ? { latencyMs: d.latencyMs } : {}),
          stopReason: d.stopReason ?? null,
          usage: d.usage,
          at: event.timestamp,
        };
        break;
      }
      case 'tool_call':
      case 'tool_result': {
        const d = event.data;
        const id = d.toolUseId;
        let call = calls.get(id);
        if (!call) {
          call = { toolUseId: id, tool: d.tool, isError: false, ran: event.type === 'tool_call', at: event.timestamp };
          calls.set(id, call);
          entry.tools.push(call);
        }
        if ('input' in d) call.input = d.input;
        if (event.type === 'tool_result') {
          const r = event.data;
          call.isError = r.isError;
          if (r.result !== undefined) call.result = r.result;
          if (r.errorCode !== undefined) call.errorCode = r.errorCode;
          if (r.attempts !== undefined) call.attempts = r.attempts;
          if (r.durationMs !== undefined) call.durationMs = r.durationMs;
          call.ran = r.ran !== false;
        }
        break;
      }
      case 'unknown':
        entry.decisions.push({ type: event.type, originalType: event.originalType, at: event.timestamp, data: event.data });
        break;
      default:
        if (!STEP_NOISE.has(event.type)) entry.decisions.push({ ...eventBody(event.type, event.data), at: event.timestamp });
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
