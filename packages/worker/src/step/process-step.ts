import {
  AgentqError,
  type ChatMessage,
  dropApprovals,
  enqueueStep,
  type HistoryEntry,
  isBudgetCode,
  isParked,
  isTerminal,
  resolveLimits,
  type SessionError,
  type SessionStatus,
  serializeError,
  shouldRetry,
  StepJobData,
  type ToolUseBlock,
} from '@agentq/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import { checkStepBudgets } from '../budget/step-budgets.js';
import { budgetNoteMessages } from '../budget/budget-note-message.js';
import { sessionMcpTools, withMcpTools } from '../mcp/session-mcp-tools.js';
import { prepareWorkingMemory } from '../memory/prepare-working-memory.js';
import { toToolResultBlock } from '../tools/tool-outcome.js';
import { modelTurn } from './model-turn.js';
import type { StepContext } from './step-context.js';
import type { StepDeps } from './step-deps.js';
import { QueuePause } from './step-signals.js';
import { toolTurn } from './tool-turn.js';

export type StepResult =
  | 'advanced'
  | 'completed'
  | 'finished'
  | 'parked'
  | 'deferred'
  | 'stale'
  | 'cancelled';

/**
 * One agent step, as one job, in the order DESIGN.md gives: validate → load → budgets → working memory →
 * model call (checkpointed) → tool calls (each checkpointed) → commit step n → n+1 and enqueue n+1.
 */
export async function processStep(deps: StepDeps, job: Job): Promise<StepResult> {
  const parsed = StepJobData.safeParse(job.data);
  if (!parsed.success) {
    const reason = `malformed step job ${job.id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`;
    deps.logger.error({ jobId: job.id, data: job.data }, reason);
    await deps.stores.events.append({
      sessionId: typeof job.data?.sessionId === 'string' ? job.data.sessionId : 'unknown',
      step: 0,
      type: 'job_invalid',
      data: { reason, jobId: job.id },
      jobId: job.id,
      workerId: deps.workerId,
    });
    throw new UnrecoverableError(reason);
  }
  const { sessionId, step } = parsed.data;
  const sessions = deps.stores.sessions;
  const session = await sessions.get(sessionId);
  if (!session) throw new UnrecoverableError(`session ${sessionId} not found`);
  const tags = { jobId: job.id, workerId: deps.workerId, agent: session.agent, ...(session.tenant ? { tenant: session.tenant } : {}) };

  const baseLogger = deps.logger.child({ sessionId, step, jobId: job.id, agent: session.agent, tenant: session.tenant });
  // A stale job is rare (a redelivery, a duplicate, a job outliving its session's end): one event makes it
  // visible in replay without costing the normal path anything.
  const emitStale = (reason: string) =>
    deps.stores.events.append({ sessionId, step, type: 'step_stale', data: { reason, status: session?.status, sessionStep: session?.step }, ...tags });
  if (isTerminal(session.status) || isParked(session.status)) {
    await emitStale(session.status);
    return 'stale';
  }
  if (session.step !== step) {
    // The job of a committed step was retried: make sure the step after it was enqueued (the outbox repair).
    if (session.step === step + 1 && session.status === 'running') await enqueueNext(deps, sessionId, session.step);
    baseLogger.debug({ sessionStep: session.step }, 'stale step job');
    await emitStale('step_moved_on');
    return 'stale';
  }

  const eventWrites: Array<Promise<void>> = [];
  let agent = deps.agents.get(session.agent);
  // MCP tools join the agent's own for this session, from the list the session discovered once.
  if (agent && agent.mcpServers.length > 0 && deps.mcp) agent = withMcpTools(agent, await sessionMcpTools(deps.stores, deps.mcp, agent, sessionId), deps.mcp);
  const limits = resolveLimits(agent?.limits, session.limits);
  const ctx: StepContext = {
    deps,
    job,
    session,
    // Checked first thing in startAndRun: a missing agent ends the session there.
    agent: agent as NonNullable<typeof agent>,
    limits,
    step,
    logger: baseLogger,
    emit: (type, data = {}) => {
      eventWrites.push(deps.stores.events.append({ sessionId, step, type, data, ...tags }));
      return Promise.resolve();
    },
  };
  try {
    return await startAndRun(ctx);
  } finally {
    // Every event of the step is in Redis before its job completes, so a finished job implies its events.
    await Promise.all(eventWrites);
  }
}

async function startAndRun(ctx: StepContext): Promise<StepResult> {
  const { deps, agent, job } = ctx;
  const sessionId = ctx.session.sessionId;
  const step = ctx.step;
  let session = ctx.session;
  if (!deps.agents.has(session.agent)) {
    await finish(ctx, 'failed', { error: { code: 'unknown_agent', message: `no worker agent is named "${session.agent}"` } });
    return 'finished';
  }
  if (session.cancelRequested) {
    await finish(ctx, 'cancelled', { error: { code: 'cancelled', message: 'cancelled by request' } });
    return 'cancelled';
  }
  if (session.status === 'queued') {
    await deps.stores.sessions.transition(sessionId, ['queued'], 'running', step);
    session = { ...session, status: 'running' };
    ctx.session = session;
    await ctx.emit('session_started', { agent: agent.name, tenant: session.tenant ?? null, ...(session.forkedFrom ? { forkedFrom: session.forkedFrom } : {}) });
  }
  // One XADD per step buys the step's start time and attempt number in replay and stats (a step's model call
  // and tools take seconds; the append is pipelined and sub-millisecond).
  await ctx.emit('step_started', { attempt: job.attemptsMade + 1 });

  try {
    return await runStep(ctx);
  } catch (error) {
    return handleStepError(ctx, error);
  }
}

async function runStep(ctx: StepContext): Promise<StepResult> {
  const { deps, session, step } = ctx;
  // Independent reads, in one round trip.
  const [budgets, history] = await Promise.all([checkStepBudgets(ctx), deps.stores.sessions.history(session.sessionId)]);
  const budgetStop = budgets.stop;
  if (budgetStop) {
    await ctx.emit('budget_exceeded', { ...budgetStop.details });
    await finish(ctx, 'budget_exceeded', { error: budgetStop });
    return 'finished';
  }

  const memory = await prepareWorkingMemory(ctx, history);
  // Append-only: a budget notice is a user message after the conversation, stored with this step's commit.
  const notes = await budgetNoteMessages(ctx, budgets.notes);
  const sent = { ...memory, messages: [...memory.messages, ...notes] };
  let response = await modelTurn(ctx, sent);
  if (response.stop_reason === 'refusal' && ctx.agent.fallbackModel && ctx.agent.fallbackModel !== ctx.agent.model) {
    ctx.logger.info({ fallbackModel: ctx.agent.fallbackModel }, 'model refused; asking the fallback model');
    response = await modelTurn(ctx, sent, { model: ctx.agent.fallbackModel, checkpointField: 'model:fallback' });
  }
  if (response.stop_reason === 'model_context_window_exceeded') {
    // Fold the window to half and try once more; a second overflow ends the session below.
    const reported = response.usage.input_tokens + (response.usage.cache_read_input_tokens ?? 0) + (response.usage.cache_creation_input_tokens ?? 0);
    const windowTokens = Math.max(1, Math.floor(Math.min(ctx.limits.memory.windowTokens ?? reported, reported) / 2));
    ctx.logger.warn({ reportedInputTokens: reported, windowTokens }, 'context window exceeded; folding the window and retrying once');
    const refit = await prepareWorkingMemory(ctx, history, { windowTokens });
    response = await modelTurn(ctx, { ...refit, messages: [...refit.messages, ...notes] }, { checkpointField: 'model:refit' });
  }
  const assistant: ChatMessage = { role: 'assistant', content: response.content as unknown as ChatMessage['content'] };
  const toolUses = response.content.filter((b): b is typeof b & ToolUseBlock => b.type === 'tool_use') as ToolUseBlock[];

  if (toolUses.length > 0) {
    const turn = await toolTurn(ctx, toolUses);
    if (turn.stop) {
      await finish(ctx, turn.stop.status, { error: turn.stop.error });
      return 'finished';
    }
    if (turn.parked > 0) return park(ctx, turn.parked, (turn.awaitingInput ?? 0) > 0 ? 'input' : 'approval');
    if (turn.deferMs !== undefined) {
      await enqueueNext(deps, session.sessionId, step, { delay: turn.deferMs, suffix: `d${Date.now()}` });
      ctx.logger.info({ delayMs: turn.deferMs }, 'step deferred for a tool rate limit');
      return 'deferred';
    }
    const results: ChatMessage = { role: 'user', content: turn.outcomes.map(toToolResultBlock) };
    return commit(ctx, [...notes, assistant, results]);
  }

  switch (response.stop_reason) {
    case 'end_turn':
    case 'stop_sequence':
    case null: {
      const output = textOf(response.content);
      await finish(ctx, 'completed', { output, entries: [...notes, assistant], recordStep: step + 1 });
      return 'completed';
    }
    case 'pause_turn':
      // The API resumes a paused turn when the assistant message is sent back as the last message.
      return commit(ctx, [...notes, assistant]);
    case 'max_tokens':
      return commit(ctx, [...notes, assistant, { role: 'user', content: 'Your last reply was cut off by the output token limit. Continue where you stopped, more briefly.' }]);
    case 'refusal':
      await finish(ctx, 'failed', {
        error: {
          code: 'model_refusal',
          message: ctx.agent.fallbackModel
            ? `the model and the fallback model ${ctx.agent.fallbackModel} declined the request (stop_reason: refusal)`
            : 'the model declined the request (stop_reason: refusal); set fallbackModel on the agent to retry such a step with another model',
        },
        entries: [...notes, assistant],
      });
      return 'finished';
    case 'model_context_window_exceeded':
      await finish(ctx, 'failed', {
        error: { code: 'model_context_window_exceeded', message: 'the conversation does not fit the model context window even after folding it to half; lower limits.memory.windowTokens' },
        entries: [...notes, assistant],
      });
      return 'finished';
    default:
      await finish(ctx, 'completed', { output: textOf(response.content), entries: [...notes, assistant], recordStep: step + 1 });
      return 'completed';
  }
}

async function commit(ctx: StepContext, messages: ChatMessage[]): Promise<StepResult> {
  const { deps, session, step } = ctx;
  const entries: HistoryEntry[] = messages.map((message) => ({ step, message }));
  const result = await deps.stores.sessions.commitStep(session.sessionId, step, entries);
  if (result === 0) {
    // Stale, or our own commit seen twice: ioredis re-sends a command whose reply a Redis restart swallowed, and
    // the re-sent compare-and-set then fails. Either way the step moved on; make sure its successor is queued.
    const now = await deps.stores.sessions.get(session.sessionId);
    if (now?.status === 'running' && now.step === step + 1) await enqueueNext(deps, session.sessionId, step + 1);
    return 'stale';
  }
  if (result === 2) {
    await ctx.emit('session_cancelled', { reason: 'cancelled by request' });
    return 'cancelled';
  }
  await enqueueNext(deps, session.sessionId, step + 1);
  return 'advanced';
}

/**
 * Parks the session for people: for the answers to its `ask_human` questions (`awaiting_input`) when any is
 * open, else for its pending approvals (`awaiting_approval`); the job then completes and no worker waits.
 * The park is checked against what is pending in one script, so answers or decisions that came before it
 * landed resume the step now.
 */
async function park(ctx: StepContext, pending: number, waitingFor: 'approval' | 'input'): Promise<StepResult> {
  const { deps, session, step } = ctx;
  const result =
    waitingFor === 'input' ? await deps.stores.questions.awaitInput(session.sessionId, step) : await deps.stores.approvals.park(session.sessionId, step);
  switch (result.kind) {
    case 'parked':
      ctx.logger.info({ pending, waitingFor }, waitingFor === 'input' ? 'session waits for input' : 'session parked for approval');
      return 'parked';
    case 'resume':
      await enqueueNext(deps, session.sessionId, step, { suffix: result.resumeSuffix });
      return 'parked';
    case 'cancel_requested':
      await finish(ctx, 'cancelled', { error: { code: 'cancelled', message: 'cancelled by request' } });
      await dropApprovals(deps.stores, session.sessionId, 'session cancelled');
      return 'cancelled';
    default:
      return 'stale';
  }
}

async function finish(
  ctx: StepContext,
  status: SessionStatus,
  options: { output?: string; error?: SessionError; entries?: ChatMessage[]; recordStep?: number },
): Promise<void> {
  const finished = await ctx.deps.stores.sessions.finish(ctx.session.sessionId, {
    status,
    expectedStep: ctx.step,
    ...(options.output !== undefined ? { output: options.output } : {}),
    ...(options.error ? { error: options.error } : {}),
    ...(options.recordStep !== undefined ? { recordStep: options.recordStep } : {}),
    entries: (options.entries ?? []).map((message) => ({ step: ctx.step, message })),
  });
  if (!finished) return;
  const type = status === 'completed' ? 'session_completed' : status === 'cancelled' ? 'session_cancelled' : 'session_failed';
  // The final record (steps, usage) rides on the event so stats and alerts need no session lookup.
  const final = await ctx.deps.stores.sessions.get(ctx.session.sessionId);
  await ctx.emit(type, {
    status,
    ...(options.error ? { error: options.error } : {}),
    ...(options.output !== undefined ? { outputChars: options.output.length } : {}),
    ...(final ? { steps: final.step, usage: final.usage, durationMs: final.updatedAt - final.createdAt } : {}),
  });
  ctx.logger.info({ status, code: options.error?.code }, 'session finished');
}

/** Decides what a failed step means: pause the fleet, retry with backoff, or end the session. */
async function handleStepError(ctx: StepContext, error: unknown): Promise<StepResult> {
  if (error instanceof QueuePause) throw error;
  if (AgentqError.isInstance(error) && isBudgetCode(error.code)) {
    // A call the budgets refused was never made: the session ends here; there is nothing to retry.
    const budgetStop: SessionError = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    await ctx.emit('budget_exceeded', { ...budgetStop.details });
    await finish(ctx, 'budget_exceeded', { error: budgetStop });
    return 'finished';
  }
  const code = AgentqError.isInstance(error) ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  const attempts = ctx.job.opts.attempts ?? 1;
  const lastAttempt = ctx.job.attemptsMade + 1 >= attempts;
  if (code === 'model_rate_limited') {
    // The API said how long to wait (retry-after-ms / retry-after); without it, a second is the API's usual hint.
    const retryAfterMs = (AgentqError.isInstance(error) ? (error.details?.retryAfterMs as number | undefined) : undefined) ?? 1000;
    throw new QueuePause(retryAfterMs, `model_rate_limited: ${message}`, 429);
  }
  if (shouldRetry(code) && !lastAttempt) {
    ctx.logger.warn({ code, err: serializeError(error), attempt: ctx.job.attemptsMade + 1, attempts }, 'step failed, will retry');
    throw error;
  }
  const suffix = shouldRetry(code) ? ` (after ${attempts} attempts)` : '';
  ctx.logger.error({ code, err: serializeError(error) }, 'step failed, ending session');
  await finish(ctx, 'failed', { error: { code, message: `${message}${suffix}` } });
  return 'finished';
}

async function enqueueNext(deps: StepDeps, sessionId: string, step: number, options: { delay?: number; suffix?: string } = {}): Promise<void> {
  const jobId = await enqueueStep(deps.queue, sessionId, step, deps.settings, options);
  if (options.suffix) await deps.stores.sessions.noteJob(sessionId, jobId);
}

function textOf(content: Array<{ type: string }>): string {
  return content
    .filter((b): b is { type: 'text'; text: string } => b.type === 'text')
    .map((b) => b.text)
    .join('');
}
