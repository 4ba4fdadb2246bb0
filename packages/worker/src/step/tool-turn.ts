import { type EventData, type SessionError, type SessionStatus, type ToolUseBlock, truncateText } from '@agentq/shared';
import { capToolResult } from '../tools/cap-tool-result.js';
import { redact } from '../tools/redact.js';
import { runTool } from '../tools/run-tool.js';
import type { PendingTurnCheckpoint, ToolCall } from '../tools/tool-guard.js';
import { errorOutcome, type ToolOutcome } from '../tools/tool-outcome.js';
import { traceTool } from '../tracing/trace-tool.js';
import type { StepContext } from './step-context.js';
import { readStepCheckpoint } from './step-checkpoint.js';

export interface ToolTurnResult {
  /** One outcome per tool_use block, in block order, when every call is answered. */
  outcomes: ToolOutcome[];
  /** Calls waiting for a human decision: the session parks. */
  parked: number;
  /** Of those, `ask_human` questions waiting for an answer: the session parks for input. */
  awaitingInput?: number;
  /** A tool asked to be retried later than a worker should wait: re-run the step after this long. */
  deferMs?: number;
  /** A guard ended the session. */
  stop?: { status: SessionStatus; error: SessionError };
}

/**
 * Answers every tool_use block of the model's turn. Each result is checkpointed the moment it is known, so
 * a retried step re-runs only what never finished, and a non-idempotent tool whose outcome is unknown is
 * reported, not run again.
 */
export async function toolTurn(ctx: StepContext, blocks: ToolUseBlock[]): Promise<ToolTurnResult> {
  const { deps } = ctx;
  const checkpoint = await readStepCheckpoint(ctx);
  const outcomes = new Map<string, ToolOutcome>();
  const toRun: ToolCall[] = [];
  let parked = 0;
  let awaitingInput = 0;

  for (const block of blocks) {
    const saved = checkpoint.toolResult(block.id);
    if (saved) {
      outcomes.set(block.id, JSON.parse(saved) as ToolOutcome);
      continue;
    }
    const prepared = prepareCall(ctx, block);
    if ('outcome' in prepared) {
      const outcome = await save(
        ctx,
        prepared.outcome,
        resultEvent({ input: redact(block.input, ctx.agent.tools.get(block.name)?.sensitive ?? []), ran: false }),
      );
      outcomes.set(block.id, outcome);
      continue;
    }
    let decided = false;
    for (const guard of deps.guards) {
      const decision = await guard.check(ctx, prepared.call);
      if (decision.kind === 'run') {
        if (decision.input !== undefined)
          prepared.call = { ...prepared.call, input: decision.input, ...(decision.editedBy ? { editedBy: decision.editedBy } : {}) };
        continue;
      }
      decided = true;
      if (decision.kind === 'answer') {
        const outcome = await save(
          ctx,
          decision.outcome,
          resultEvent({ input: redact(prepared.call.input, prepared.call.tool.sensitive), ran: false, guard: guard.name }),
        );
        outcomes.set(block.id, outcome);
      } else if (decision.kind === 'park') {
        parked += 1;
        if (decision.for === 'input') awaitingInput += 1;
      } else return { outcomes: [], parked: 0, stop: { status: decision.status, error: decision.error } };
      break;
    }
    if (decided) continue;
    if (!prepared.call.tool.idempotent && checkpoint.toolStarted(block.id)) {
      // A previous attempt started this call and died before recording its result: it may have happened.
      outcomes.set(block.id, await reportOutcomeUnknown(ctx, block));
      continue;
    }
    toRun.push(prepared.call);
  }

  // Calls that need no decision run now even when others park, so the resumed step has only those left.
  let deferMs: number | undefined;
  await Promise.all(
    toRun.map(async (call) => {
      const outcome = await execute(ctx, call, checkpoint.toolDeferredAttempts(call.block.id));
      if (typeof outcome === 'number') deferMs = Math.max(deferMs ?? 0, outcome);
      else outcomes.set(call.block.id, outcome);
    }),
  );

  if (parked > 0 || deferMs !== undefined) {
    return { outcomes: [], parked, awaitingInput, ...(deferMs !== undefined ? { deferMs } : {}) };
  }
  return { outcomes: blocks.map((block) => outcomes.get(block.id) as ToolOutcome), parked: 0 };
}

/**
 * Lets the guards start their reads for the calls of a fresh model turn while its checkpoint is written (or
 * add them to it), so the tool turn finds their answers in hand: the same calls the tool turn will check, in
 * block order.
 */
export function prepareToolChecks(ctx: StepContext, blocks: readonly ToolUseBlock[], checkpoint: PendingTurnCheckpoint): void {
  const calls: ToolCall[] = [];
  for (const block of blocks) {
    const prepared = prepareCall(ctx, block);
    if ('call' in prepared) calls.push(prepared.call);
  }
  if (calls.length === 0) return;
  for (const guard of ctx.deps.guards) guard.prepare?.(ctx, calls, checkpoint);
}

function prepareCall(ctx: StepContext, block: ToolUseBlock): { call: ToolCall } | { outcome: ToolOutcome } {
  const tool = ctx.agent.tools.get(block.name);
  if (!tool) {
    return {
      outcome: errorOutcome(
        block.id,
        block.name,
        'tool_unknown',
        `There is no tool named "${block.name}". Available tools: ${[...ctx.agent.tools.keys()].join(', ') || 'none'}.`,
      ),
    };
  }
  const policy = ctx.session.tenant ? ctx.agent.tenantPolicy[ctx.session.tenant] : undefined;
  if (policy && ((policy.allow && !policy.allow.includes(tool.name)) || policy.deny?.includes(tool.name))) {
    return {
      outcome: errorOutcome(
        block.id,
        block.name,
        'tool_permission_denied',
        `The tool "${block.name}" is not allowed for this tenant. Do not call it again; choose another approach.`,
      ),
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
async function execute(ctx: StepContext, call: ToolCall, previousAttempts: number): Promise<ToolOutcome | number> {
  const { deps, session, step } = ctx;
  const { block, tool } = call;
  const input = redact(call.input, tool.sensitive);
  const callEvent = {
    type: 'tool_call' as const,
    data: { tool: tool.name, toolUseId: block.id, input, risk: tool.risk, ...(call.editedBy ? { editedBy: call.editedBy } : {}) },
  };
  if (!tool.idempotent) {
    // The claim is atomic: of two attempts of one step running at once (a lock lost to a long GC pause, a
    // redelivered job), exactly one runs the call; the other reports it as of unknown outcome. The claim
    // carries the tool_call event, so a call that may have happened is always on record.
    const token = `${deps.workerId}|${ctx.job.id}|${ctx.job.attemptsMade}|${Date.now()}`;
    const events = ctx.events.forCheckpoint([callEvent]);
    const { stored: claimed, written } = await deps.stores.sessions.checkpoints.claimTool(session.sessionId, step, block.id, token, events);
    ctx.events.afterCheckpoint(events, written);
    if (claimed !== token) return reportOutcomeUnknown(ctx, block);
  } else {
    await ctx.emit(callEvent.type, callEvent.data);
  }
  ctx.logger.debug({ tool: tool.name, toolUseId: block.id, input }, 'tool call');
  const traced = deps.tracing ? { sessionId: session.sessionId, tool: tool.name, toolUseId: block.id } : undefined;
  const result = await traceTool(traced, () =>
    runTool({
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
      previousAttempts,
    }),
  );
  if (result.deferMs !== undefined) {
    // A rate limit means the tool did nothing: the deferred re-run must run it, not report its outcome unknown.
    // The attempts used so far carry over, so a tool that never stops rate-limiting ends in an error result.
    await deps.stores.sessions.checkpoints.deferTool(session.sessionId, step, block.id, result.attempts);
    return result.deferMs;
  }
  const ran = call.editedBy
    ? {
        ...result.outcome,
        content: `The input of this call was edited by ${call.editedBy} before approval; it ran with ${truncateText(JSON.stringify(input), 2000)}.\n\n${result.outcome.content}`,
      }
    : result.outcome;
  // The guards learn the outcome while it is checkpointed (one round trip; their records live under other keys).
  const capped = capToolResult(ran, deps.settings.maxToolResultBytes);
  const [outcome] = await Promise.all([save(ctx, capped, resultEvent({ ran: true })), ...deps.guards.map((guard) => guard.after?.(ctx, call, capped))]);
  ctx.logger.debug(
    {
      tool: tool.name,
      toolUseId: block.id,
      isError: outcome.isError,
      errorCode: outcome.errorCode,
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
    },
    'tool result',
  );
  return outcome;
}

/**
 * Every answered tool_use gets one `tool_result` event, whether the tool ran or the call was answered without
 * running it (`ran: false`: invalid input, unknown tool, a guard's answer), so stats count every call. It is
 * written with the outcome's checkpoint, by the writer that stored it.
 */
function resultEvent(extra: { ran: boolean; input?: unknown; guard?: string }): (outcome: ToolOutcome) => OwnEvent[] {
  return (outcome) => [{ type: 'tool_result', data: resultData(outcome, extra) }];
}

function resultData(outcome: ToolOutcome, extra: { ran: boolean; input?: unknown; guard?: string }): EventData<'tool_result'> {
  return {
    tool: outcome.tool,
    toolUseId: outcome.toolUseId,
    isError: outcome.isError,
    errorCode: outcome.errorCode,
    attempts: outcome.attempts,
    durationMs: outcome.durationMs,
    result: truncateText(outcome.content, 500),
    ...(outcome.unrecordable ? { unrecordable: true } : {}),
    ...(outcome.originalBytes !== undefined ? { originalBytes: outcome.originalBytes } : {}),
    ...extra,
  };
}

/**
 * Answers a non-idempotent call that an earlier or concurrent attempt started without recording a result:
 * it may have taken effect, so it is not run again and the model is told to check. A result recorded in the
 * meantime wins, and then no `tool_outcome_unknown` is reported.
 */
async function reportOutcomeUnknown(ctx: StepContext, block: ToolUseBlock): Promise<ToolOutcome> {
  const unknown = errorOutcome(
    block.id,
    block.name,
    'tool_outcome_unknown',
    `The outcome of this ${block.name} call is unknown: a worker stopped while it was running. It was NOT run again. Check whether it took effect before trying again.`,
  );
  const outcome = await save(ctx, unknown, () => [{ type: 'tool_outcome_unknown', data: { tool: block.name, toolUseId: block.id } }]);
  if (outcome.errorCode === 'tool_outcome_unknown') ctx.logger.warn({ tool: block.name, toolUseId: block.id }, 'tool outcome unknown: not run again');
  return outcome;
}

/**
 * Checkpoints a call's outcome with its events in one atomic write (see putCheckpointWithEvents-3.lua): the writer
 * whose outcome is stored writes `own(stored)` (its `tool_result` or `tool_outcome_unknown`); a writer that
 * finds an outcome stored before returns that one and writes nothing of its own.
 */
async function save(ctx: StepContext, outcome: ToolOutcome, own: (stored: ToolOutcome) => OwnEvent[]): Promise<ToolOutcome> {
  const capped = capToolResult(outcome, ctx.deps.settings.maxToolResultBytes);
  const events = ctx.events.forCheckpoint(own(capped));
  const { stored, written } = await ctx.deps.stores.sessions.checkpoints.saveToolResult(
    ctx.session.sessionId,
    ctx.step,
    outcome.toolUseId,
    JSON.stringify(capped),
    events,
  );
  ctx.events.afterCheckpoint(events, written);
  return JSON.parse(stored) as ToolOutcome;
}

type OwnEvent = Parameters<StepContext['events']['forCheckpoint']>[0] extends Array<infer E> | undefined ? E : never;
