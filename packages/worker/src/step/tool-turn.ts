import { type SessionError, type SessionStatus, type ToolUseBlock, truncateText } from '@agentq/shared';
import { runTool } from '../tools/run-tool.js';
import type { ToolCall } from '../tools/tool-guard.js';
import { errorOutcome, type ToolOutcome } from '../tools/tool-outcome.js';
import type { StepContext } from './step-context.js';

export interface ToolTurnResult {
  /** One outcome per tool_use block, in block order, when every call is answered. */
  outcomes: ToolOutcome[];
  /** Calls waiting for a human decision: the session parks. */
  parked: number;
  /** A tool asked to be retried later than a worker should wait: re-run the step after this long. */
  deferMs?: number;
  /** A guard ended the session. */
  stop?: { status: SessionStatus; error: SessionError };
}

const resultField = (toolUseId: string) => `tool:${toolUseId}`;
const startedField = (toolUseId: string) => `started:${toolUseId}`;

/**
 * Answers every tool_use block of the model's turn. Each result is checkpointed the moment it is known, so
 * a retried step re-runs only what never finished, and a non-idempotent tool whose outcome is unknown is
 * reported, not run again.
 */
export async function toolTurn(ctx: StepContext, blocks: ToolUseBlock[]): Promise<ToolTurnResult> {
  const { deps, session, step } = ctx;
  const checkpoint = await deps.stores.sessions.checkpoint(session.sessionId, step);
  const outcomes = new Map<string, ToolOutcome>();
  const toRun: ToolCall[] = [];
  let parked = 0;

  for (const block of blocks) {
    const saved = checkpoint[resultField(block.id)];
    if (saved) {
      outcomes.set(block.id, JSON.parse(saved) as ToolOutcome);
      continue;
    }
    const prepared = prepareCall(ctx, block);
    if ('outcome' in prepared) {
      outcomes.set(block.id, await save(ctx, prepared.outcome));
      continue;
    }
    let decided = false;
    for (const guard of deps.guards) {
      const decision = await guard.check(ctx, prepared.call);
      if (decision.kind === 'run') continue;
      decided = true;
      if (decision.kind === 'answer') outcomes.set(block.id, await save(ctx, decision.outcome));
      else if (decision.kind === 'park') parked += 1;
      else return { outcomes: [], parked: 0, stop: { status: decision.status, error: decision.error } };
      break;
    }
    if (decided) continue;
    if (!prepared.call.tool.idempotent && checkpoint[startedField(block.id)]) {
      // A previous attempt started this call and died before recording its result: it may have happened.
      const outcome = errorOutcome(
        block.id,
        block.name,
        'tool_outcome_unknown',
        `The outcome of this ${block.name} call is unknown: a worker stopped while it was running. It was NOT run again. Check whether it took effect before trying again.`,
      );
      await ctx.emit('tool_outcome_unknown', { tool: block.name, toolUseId: block.id });
      outcomes.set(block.id, await save(ctx, outcome));
      continue;
    }
    toRun.push(prepared.call);
  }

  // Calls that need no decision run now even when others park, so the resumed step has only those left.
  let deferMs: number | undefined;
  await Promise.all(
    toRun.map(async (call) => {
      const outcome = await execute(ctx, call);
      if (typeof outcome === 'number') deferMs = Math.max(deferMs ?? 0, outcome);
      else outcomes.set(call.block.id, outcome);
    }),
  );

  if (parked > 0 || deferMs !== undefined) {
    return { outcomes: [], parked, ...(deferMs !== undefined ? { deferMs } : {}) };
  }
  return { outcomes: blocks.map((block) => outcomes.get(block.id) as ToolOutcome), parked: 0 };
}

function prepareCall(ctx: StepContext, block: ToolUseBlock): { call: ToolCall } | { outcome: ToolOutcome } {
  const tool = ctx.agent.tools.get(block.name);
  if (!tool) {
    return {
      outcome: errorOutcome(block.id, block.name, 'tool_unknown', `There is no tool named "${block.name}". Available tools: ${[...ctx.agent.tools.keys()].join(', ') || 'none'}.`),
    };
  }
  const policy = ctx.session.tenant ? ctx.agent.tenantPolicy[ctx.session.tenant] : undefined;
  if (policy && ((policy.allow && !policy.allow.includes(tool.name)) || policy.deny?.includes(tool.name))) {
    return {
      outcome: errorOutcome(block.id, block.name, 'tool_permission_denied', `The tool "${block.name}" is not allowed for this tenant. Do not call it again; choose another approach.`),
    };
  }
  const parsed = tool.input.safeParse(block.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
    return { outcome: errorOutcome(block.id, block.name, 'tool_invalid_input', truncateText(`Invalid input for ${block.name}: ${issues}`, 2000)) };
  }
  return { call: { block, tool, input: parsed.data } };
}

/** Runs one call; returns its outcome, or the ms to defer the step by when the tool asked for a long wait. */
async function execute(ctx: StepContext, call: ToolCall): Promise<ToolOutcome | number> {
  const { deps, session, step } = ctx;
  const { block, tool } = call;
  if (!tool.idempotent) {
    await deps.stores.sessions.setCheckpoint(session.sessionId, step, startedField(block.id), String(Date.now()));
  }
  await ctx.emit('tool_call', { tool: tool.name, toolUseId: block.id, input: redact(call.input, tool.sensitive), risk: tool.risk });
  const result = await runTool({
    tool,
    input: call.input,
    context: {
      sessionId: session.sessionId,
      step,
      toolUseId: block.id,
      idempotencyKey: `${session.sessionId}:${step}:${block.id}`,
      agent: ctx.agent.name,
      tenant: session.tenant,
      metadata: session.metadata,
    },
    logger: ctx.logger,
    signal: deps.shutdownSignal,
    maxInlineWaitMs: deps.settings.maxInlineToolWaitMs,
  });
  if (result.deferMs !== undefined) return result.deferMs;
  const outcome = await save(ctx, result.outcome);
  for (const guard of deps.guards) await guard.after?.(ctx, call, outcome);
  await ctx.emit('tool_result', {
    tool: tool.name,
    toolUseId: block.id,
    isError: outcome.isError,
    errorCode: outcome.errorCode,
    attempts: outcome.attempts,
    durationMs: outcome.durationMs,
    result: truncateText(outcome.content, 500),
  });
  return outcome;
}

async function save(ctx: StepContext, outcome: ToolOutcome): Promise<ToolOutcome> {
  const stored = await ctx.deps.stores.sessions.putCheckpoint(ctx.session.sessionId, ctx.step, resultField(outcome.toolUseId), JSON.stringify(outcome));
  return JSON.parse(stored) as ToolOutcome;
}

export function redact(input: unknown, sensitive: readonly string[]): unknown {
  if (sensitive.length === 0 || typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of sensitive) if (field in copy) copy[field] = '[redacted]';
  return copy;
}
