import {
  AgentqError,
  type ChatMessage,
  type HistoryEntry,
  isTerminal,
  type Limits,
  resolveLimits,
  type SessionError,
  type SessionStatus,
  serializeError,
  shouldRetry,
  StepJobData,
  type ToolUseBlock,
} from '@agentq/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import { buildWorkingMemory } from '../memory/working-memory.js';
import { enqueueStep } from '../queue/enqueue-step.js';
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
  let session = await sessions.get(sessionId);
  if (!session) throw new UnrecoverableError(`session ${sessionId} not found`);

  const baseLogger = deps.logger.child({ sessionId, step, jobId: job.id, agent: session.agent, tenant: session.tenant });
  if (isTerminal(session.status) || session.status === 'awaiting_approval') return 'stale';
  if (session.step !== step) {
    // The job of a committed step was retried: make sure the step after it was enqueued (the outbox repair).
    if (session.step === step + 1 && session.status === 'running') await enqueueNext(deps, sessionId, session.step);
    baseLogger.debug({ sessionStep: session.step }, 'stale step job');
    return 'stale';
  }

  const agent = deps.agents.get(session.agent);
  const limits = resolveLimits(agent?.limits, session.limits);
  const ctx: StepContext = {
    deps,
    job,
    session,
    agent: agent as NonNullable<typeof agent>,
    limits,
    step,
    logger: baseLogger,
    emit: (type, data = {}) => deps.stores.events.append({ sessionId, step, type, data, jobId: job.id, workerId: deps.workerId }),
  };
  if (!agent) {
    await finish(ctx, 'failed', { error: { code: 'unknown_agent', message: `no worker agent is named "${session.agent}"` } });
    return 'finished';
  }
  if (session.cancelRequested) {
    await finish(ctx, 'cancelled', { error: { code: 'cancelled', message: 'cancelled by request' } });
    return 'cancelled';
  }
  if (session.status === 'queued') {
    await sessions.transition(sessionId, ['queued'], 'running', step);
    session = { ...session, status: 'running' };
    ctx.session = session;
    await ctx.emit('session_started', { agent: agent.name, tenant: session.tenant ?? null });
  }

  try {
    return await runStep(ctx);
  } catch (error) {
    return handleStepError(ctx, error);
  }
}

async function runStep(ctx: StepContext): Promise<StepResult> {
  const { deps, session, step, limits } = ctx;
  const budgetStop = checkStepBudgets(ctx, limits);
  if (budgetStop) {
    await ctx.emit('budget_exceeded', { ...budgetStop.details });
    await finish(ctx, 'budget_exceeded', { error: budgetStop });
    return 'finished';
  }

  const history = await deps.stores.sessions.history(session.sessionId);
  const memory = buildWorkingMemory(history, limits);
  const system = [ctx.agent.system, ...memory.systemNotes].join('\n\n');
  const response = await modelTurn(ctx, system, memory.messages);
  const assistant: ChatMessage = { role: 'assistant', content: response.content as unknown as ChatMessage['content'] };
  const toolUses = response.content.filter((b): b is typeof b & ToolUseBlock => b.type === 'tool_use') as ToolUseBlock[];

  if (toolUses.length > 0) {
    const turn = await toolTurn(ctx, toolUses);
    if (turn.stop) {
      await finish(ctx, turn.stop.status, { error: turn.stop.error });
      return 'finished';
    }
    if (turn.parked > 0) return park(ctx, turn.parked);
    if (turn.deferMs !== undefined) {
      await enqueueNext(deps, session.sessionId, step, { delay: turn.deferMs, suffix: `d${Date.now()}` });
      ctx.logger.info({ delayMs: turn.deferMs }, 'step deferred for a tool rate limit');
      return 'deferred';
    }
    const results: ChatMessage = { role: 'user', content: turn.outcomes.map(toToolResultBlock) };
    return commit(ctx, [assistant, results]);
  }

  switch (response.stop_reason) {
    case 'end_turn':
    case 'stop_sequence':
    case null: {
      const output = textOf(response.content);
      await finish(ctx, 'completed', { output, entries: [assistant], recordStep: step + 1 });
      return 'completed';
    }
    case 'pause_turn':
      // The API resumes a paused turn when the assistant message is sent back as the last message.
      return commit(ctx, [assistant]);
    case 'max_tokens':
      return commit(ctx, [assistant, { role: 'user', content: 'Your last reply was cut off by the output token limit. Continue where you stopped, more briefly.' }]);
    case 'refusal':
      await finish(ctx, 'failed', { error: { code: 'model_refusal', message: 'the model declined the request (stop_reason: refusal)' }, entries: [assistant] });
      return 'finished';
    case 'model_context_window_exceeded':
      await finish(ctx, 'failed', {
        error: { code: 'model_context_window_exceeded', message: 'the conversation no longer fits the model context window; set limits.memory.windowTokens' },
        entries: [assistant],
      });
      return 'finished';
    default:
      await finish(ctx, 'completed', { output: textOf(response.content), entries: [assistant], recordStep: step + 1 });
      return 'completed';
  }
}

function checkStepBudgets(ctx: StepContext, limits: Limits): SessionError | undefined {
  const { session, step } = ctx;
  if (step >= limits.maxSteps) {
    return { code: 'max_steps', message: `maxSteps ${limits.maxSteps} reached`, details: { limit: limits.maxSteps, used: step } };
  }
  if (limits.deadlineMs !== undefined && Date.now() > session.createdAt + limits.deadlineMs) {
    return { code: 'deadline', message: `deadline of ${limits.deadlineMs}ms passed`, details: { limit: limits.deadlineMs, used: Date.now() - session.createdAt } };
  }
  return undefined;
}

async function commit(ctx: StepContext, messages: ChatMessage[]): Promise<StepResult> {
  const { deps, session, step } = ctx;
  const entries: HistoryEntry[] = messages.map((message) => ({ step, message }));
  const result = await deps.stores.sessions.commitStep(session.sessionId, step, entries);
  if (result === 0) return 'stale';
  if (result === 2) {
    await ctx.emit('session_cancelled', { reason: 'cancelled by request' });
    return 'cancelled';
  }
  await enqueueNext(deps, session.sessionId, step + 1);
  return 'advanced';
}

async function park(ctx: StepContext, pending: number): Promise<StepResult> {
  const previous = await ctx.deps.stores.sessions.transition(ctx.session.sessionId, ['running'], 'awaiting_approval', ctx.step);
  if (previous) ctx.logger.info({ pending }, 'session parked for approval');
  return 'parked';
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
  await ctx.emit(type, { status, ...(options.error ? { error: options.error } : {}), ...(options.output !== undefined ? { outputChars: options.output.length } : {}) });
  ctx.logger.info({ status, code: options.error?.code }, 'session finished');
}

/** Decides what a failed step means: pause the fleet, retry with backoff, or end the session. */
async function handleStepError(ctx: StepContext, error: unknown): Promise<StepResult> {
  if (error instanceof QueuePause) throw error;
  const code = AgentqError.isInstance(error) ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  const attempts = ctx.job.opts.attempts ?? 1;
  const lastAttempt = ctx.job.attemptsMade + 1 >= attempts;
  if (code === 'model_rate_limited') {
    const retryAfterMs = (AgentqError.isInstance(error) ? (error.details?.retryAfterMs as number | undefined) : undefined) ?? 1000;
    throw new QueuePause(retryAfterMs, message);
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
  await enqueueStep(deps.queue, sessionId, step, {
    attempts: deps.settings.stepAttempts,
    backoffMs: deps.settings.stepBackoffMs,
    ...options,
  });
}

function textOf(content: Array<{ type: string }>): string {
  return content
    .filter((b): b is { type: 'text'; text: string } => b.type === 'text')
    .map((b) => b.text)
    .join('');
}
