import type { AgentEvent } from '@agentq/shared';
import { percentile } from './percentile.js';

export interface ToolStats {
  tool: string;
  /** tool_use blocks answered, whether the tool ran or not. */
  calls: number;
  /** Calls the tool actually ran for. */
  ran: number;
  errors: number;
  errorsByCode: Record<string, number>;
  /** Extra attempts after failures (attempts − 1, summed). */
  retries: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface AgentStats {
  agent: string;
  /** Sessions that started in the window. */
  started: number;
  /** Sessions that ended in the window, by final status. */
  finished: Record<string, number>;
  /** Steps that made a model call. */
  steps: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd: number;
}

export interface Stats {
  since: number;
  until: number;
  agent: string | null;
  events: number;
  tools: ToolStats[];
  agents: AgentStats[];
  loops: { warnings: number; detected: number };
  budgets: { warnings: number; stops: Record<string, number> };
  approvals: { requested: number; approved: number; denied: number; timedOut: number };
  rateLimits: { model429s: number; pauses: number; pauseMs: number; governorWaits: number; governorWaitMs: number };
  modelErrors: Record<string, number>;
  /** Model calls made through the Message Batches lane: what they cost, and what the same calls made directly would have cost more. */
  batch: { calls: number; costUsd: number; savedUsd: number };
  stale: number;
}

export interface ComputeStatsOptions {
  since: number;
  until?: number;
  /** Only this agent's events. */
  agent?: string;
  /** Agent of sessions whose events do not carry one (older events, producer-side events). */
  agentOf?: ReadonlyMap<string, string>;
}

const inc = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

/** Stats from a list of events (pure: the CLI, the dashboard and tests use the same numbers). */
export function computeStats(events: AgentEvent[], options: ComputeStatsOptions): Stats {
  const until = options.until ?? Date.now();
  const agentOf = (event: AgentEvent) => event.agent ?? options.agentOf?.get(event.sessionId) ?? 'unknown';
  const tools = new Map<string, ToolStats & { latencies: number[] }>();
  const agents = new Map<string, AgentStats>();
  const stats: Stats = {
    since: options.since,
    until,
    agent: options.agent ?? null,
    events: 0,
    tools: [],
    agents: [],
    loops: { warnings: 0, detected: 0 },
    budgets: { warnings: 0, stops: {} },
    approvals: { requested: 0, approved: 0, denied: 0, timedOut: 0 },
    rateLimits: { model429s: 0, pauses: 0, pauseMs: 0, governorWaits: 0, governorWaitMs: 0 },
    modelErrors: {},
    batch: { calls: 0, costUsd: 0, savedUsd: 0 },
    stale: 0,
  };
  const agentStats = (name: string) => {
    let entry = agents.get(name);
    if (!entry) {
      entry = { agent: name, started: 0, finished: {}, steps: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 };
      agents.set(name, entry);
    }
    return entry;
  };

  for (const event of events) {
    if (event.timestamp < options.since || event.timestamp > until) continue;
    const agent = agentOf(event);
    if (options.agent && agent !== options.agent) continue;
    stats.events += 1;
    switch (event.type) {
      case 'session_started':
        agentStats(agent).started += 1;
        break;
      case 'session_completed':
      case 'session_failed':
      case 'session_cancelled': {
        const status = event.data.status ?? event.type.replace('session_', '');
        inc(agentStats(agent).finished, status);
        if (status === 'budget_exceeded') inc(stats.budgets.stops, event.data.error?.code ?? 'unknown');
        if (status === 'loop_detected') stats.loops.detected += 1;
        break;
      }
      case 'model_call': {
        const { usage } = event.data;
        const a = agentStats(agent);
        a.steps += 1;
        a.tokens.input += usage.inputTokens;
        a.tokens.output += usage.outputTokens;
        a.tokens.cacheRead += usage.cacheReadTokens;
        a.tokens.cacheWrite += usage.cacheWriteTokens;
        a.costUsd += usage.costUsd;
        if (event.data.lane === 'batch') {
          stats.batch.calls += 1;
          stats.batch.costUsd += usage.costUsd;
          stats.batch.savedUsd += event.data.savedUsd ?? 0;
        }
        break;
      }
      case 'model_error':
        inc(stats.modelErrors, event.data.code);
        if (event.data.status === 429) stats.rateLimits.model429s += 1;
        break;
      case 'tool_result': {
        const d = event.data;
        let t = tools.get(d.tool);
        if (!t) {
          t = { tool: d.tool, calls: 0, ran: 0, errors: 0, errorsByCode: {}, retries: 0, p50Ms: null, p95Ms: null, latencies: [] };
          tools.set(d.tool, t);
        }
        t.calls += 1;
        if (d.ran !== false) {
          t.ran += 1;
          if (d.durationMs !== undefined) t.latencies.push(d.durationMs);
        }
        if (d.isError) {
          t.errors += 1;
          inc(t.errorsByCode, d.errorCode ?? 'unknown');
        }
        t.retries += Math.max(0, (d.attempts ?? 0) - 1);
        break;
      }
      case 'loop_warning':
        stats.loops.warnings += 1;
        break;
      case 'budget_warning':
        stats.budgets.warnings += 1;
        break;
      case 'approval_requested':
        stats.approvals.requested += 1;
        break;
      case 'approval_decided':
        if (event.data.decision === 'approved') stats.approvals.approved += 1;
        else stats.approvals.denied += 1;
        if (event.data.by.includes('timeout')) stats.approvals.timedOut += 1;
        break;
      case 'rate_limit_pause':
        stats.rateLimits.pauses += 1;
        stats.rateLimits.pauseMs += event.data.pauseMs;
        break;
      case 'governor_wait':
        stats.rateLimits.governorWaits += 1;
        stats.rateLimits.governorWaitMs += event.data.waitMs ?? event.data.delayMs ?? 0;
        break;
      case 'step_stale':
        stats.stale += 1;
        break;
      default:
        break;
    }
  }
  stats.tools = [...tools.values()]
    .map(({ latencies, ...t }) => ({ ...t, p50Ms: percentile(latencies, 50) ?? null, p95Ms: percentile(latencies, 95) ?? null }))
    .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));
  stats.batch = { calls: stats.batch.calls, costUsd: Math.round(stats.batch.costUsd * 1e6) / 1e6, savedUsd: Math.round(stats.batch.savedUsd * 1e6) / 1e6 };
  stats.agents = [...agents.values()].map((a) => ({ ...a, costUsd: Math.round(a.costUsd * 1e6) / 1e6 })).sort((a, b) => a.agent.localeCompare(b.agent));
  return stats;
}
