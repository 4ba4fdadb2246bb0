import { type ErrorCode } from '@agentq/shared';
import type { GuardContext } from './guard-context.js';
import type { GuardDecision, ToolCall, ToolGuard } from './tool-guard.js';
import { errorOutcome, type ToolOutcome } from './tool-outcome.js';

/** Outcomes that say the tool (or its backend) is unhealthy. A refusal or a bad input says nothing about that. */
const BREAKER_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['tool_timeout', 'tool_failed', 'tool_rate_limited']);

export interface CircuitBreakerOptions {
  /** Clock, for tests. @defaultValue Date.now */
  now?: () => number;
}

/**
 * A fleet-wide circuit breaker per tool, kept in Redis: after `breaker.failures` failed calls within
 * `breaker.windowMs` (on any worker) the tool's calls are answered at once with an error result for
 * `breaker.cooldownMs`; then one trial call runs (half-open) and its outcome closes or re-opens the breaker.
 * Transitions are session events: `circuit_opened`, `circuit_half_open`, `circuit_closed`.
 */
export class CircuitBreaker implements ToolGuard {
  readonly name = 'circuit-breaker';
  private readonly now: () => number;

  /** Breaker states read while the turn's checkpoint was written, per step and tool (per-step state: it goes with the step's context). */
  private readonly states = new WeakMap<GuardContext, Map<string, Promise<string | null>>>();

  constructor(options: CircuitBreakerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Reads (never changes) the state of each tool's breaker: a closed one needs no check script. */
  prepare(ctx: GuardContext, calls: readonly ToolCall[]): void {
    const states = new Map<string, Promise<string | null>>();
    for (const call of calls) {
      if (!call.tool.breaker || states.has(call.tool.name)) continue;
      const state = ctx.deps.breakers.state(call.tool.name);
      state.catch(() => undefined);
      states.set(call.tool.name, state);
    }
    this.states.set(ctx, states);
  }

  async check(ctx: GuardContext, call: ToolCall): Promise<GuardDecision> {
    const settings = call.tool.breaker;
    if (!settings) return { kind: 'run' };
    const read = this.states.get(ctx)?.get(call.tool.name);
    if (read) {
      // A breaker closed a moment ago lets the call run, as the script would (it changes nothing then).
      const state = await read.catch(() => 'unknown');
      if (state === null || state === 'closed') return { kind: 'run' };
    }
    const now = this.now();
    const verdict = await ctx.deps.breakers.check(call.tool.name, {
      now,
      cooldownMs: settings.cooldownMs,
      trialLeaseMs: trialLeaseMs(call),
    });
    if (verdict.decision === 'allow') return { kind: 'run' };
    if (verdict.decision === 'trial') {
      if (verdict.halfOpened) {
        ctx.logger.info({ tool: call.tool.name }, 'circuit half-open: one trial call');
        await ctx.emit('circuit_half_open', { tool: call.tool.name, toolUseId: call.block.id });
      }
      return { kind: 'run' };
    }
    const retryInSec = Math.max(1, Math.ceil((verdict.retryAt - now) / 1000));
    return {
      kind: 'answer',
      outcome: errorOutcome(
        call.block.id,
        call.tool.name,
        'tool_circuit_open',
        `${call.tool.name} is temporarily unavailable: it failed ${settings.failures} times within ${formatSeconds(settings.windowMs)} across the fleet, so its circuit breaker is open. It will be tried again in about ${retryInSec}s; proceed without it or use another tool.`,
      ),
    };
  }

  async after(ctx: GuardContext, call: ToolCall, outcome: ToolOutcome): Promise<void> {
    const settings = call.tool.breaker;
    if (!settings) return;
    const failed = outcome.isError && outcome.errorCode !== undefined && BREAKER_FAILURES.has(outcome.errorCode);
    if (!failed) {
      // A success of a call let through a closed breaker changes nothing: only a half-open breaker's trial closes
      // it, and a breaker that opened while this call ran stays open. The record script is skipped then.
      const read = this.states.get(ctx)?.get(call.tool.name);
      const state = read ? await read.catch(() => 'unknown') : 'unknown';
      if (state === null || state === 'closed') return;
    }
    const { transition, failures } = await ctx.deps.breakers.record(call.tool.name, {
      now: this.now(),
      failed,
      openAfter: settings.failures,
      windowMs: settings.windowMs,
      callId: `${ctx.session.sessionId}:${ctx.step}:${call.block.id}`,
    });
    if (transition === 'opened') {
      ctx.logger.warn({ tool: call.tool.name, failures }, 'circuit opened');
      await ctx.emit('circuit_opened', {
        tool: call.tool.name,
        failures,
        windowMs: settings.windowMs,
        cooldownMs: settings.cooldownMs,
        errorCode: outcome.errorCode,
      });
    } else if (transition === 'closed') {
      ctx.logger.info({ tool: call.tool.name }, 'circuit closed');
      await ctx.emit('circuit_closed', { tool: call.tool.name });
    }
  }
}

/** Longest a trial call can take with its retries; past it another trial may start. */
function trialLeaseMs(call: ToolCall): number {
  return call.tool.timeoutMs * (1 + call.tool.retries) + 5_000;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
