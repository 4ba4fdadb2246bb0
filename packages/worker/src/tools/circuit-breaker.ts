import { type ErrorCode, runScript } from '@agentq/shared';
import type { StepContext } from '../step/step-context.js';
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

  constructor(options: CircuitBreakerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async check(ctx: StepContext, call: ToolCall): Promise<GuardDecision> {
    const settings = call.tool.breaker;
    if (!settings) return { kind: 'run' };
    const { stores } = ctx.deps;
    const now = this.now();
    const [decision, extra] = await runScript<[string, string | number]>(
      stores.redis,
      'checkBreaker',
      [stores.keys.breaker(call.tool.name)],
      [now, settings.cooldownMs, trialLeaseMs(call)],
    );
    if (decision === 'allow') return { kind: 'run' };
    if (decision === 'trial') {
      if (extra === 'half_open') {
        ctx.logger.info({ tool: call.tool.name }, 'circuit half-open: one trial call');
        await ctx.emit('circuit_half_open', { tool: call.tool.name, toolUseId: call.block.id });
      }
      return { kind: 'run' };
    }
    const retryInSec = Math.max(1, Math.ceil((Number(extra) - now) / 1000));
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

  async after(ctx: StepContext, call: ToolCall, outcome: ToolOutcome): Promise<void> {
    const settings = call.tool.breaker;
    if (!settings) return;
    const failed = outcome.isError && outcome.errorCode !== undefined && BREAKER_FAILURES.has(outcome.errorCode);
    const { stores } = ctx.deps;
    const [transition, count] = await runScript<[string, number]>(
      stores.redis,
      'recordBreaker',
      [stores.keys.breaker(call.tool.name), stores.keys.breakerFailures(call.tool.name)],
      [this.now(), failed ? '1' : '0', settings.failures, settings.windowMs, `${ctx.session.sessionId}:${ctx.step}:${call.block.id}`],
    );
    if (transition === 'opened') {
      ctx.logger.warn({ tool: call.tool.name, failures: count }, 'circuit opened');
      await ctx.emit('circuit_opened', { tool: call.tool.name, failures: count, windowMs: settings.windowMs, cooldownMs: settings.cooldownMs, errorCode: outcome.errorCode });
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
