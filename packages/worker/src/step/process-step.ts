import {
  AgentqError,
  type ChatMessage,
  dropApprovals,
  effectiveLimits,
  enqueueStep,
  type HistoryEntry,
  type HistoryWindow,
  isBudgetCode,
  isParked,
  isRedisUnavailable,
  isTerminal,
  resolveLimits,
  type Session,
  type SessionError,
  type SessionStatus,
  serializeError,
  shouldRetry,
  StepJobData,
  stepJobId,
  tenantOf,
  type ToolUseBlock,
} from '@agentq/shared';
import { StepCheckpoint } from '@agentq/shared/internal';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { BATCH_PRICE_FACTOR } from '../batch/batch-price.js';
import { settleCheckpointedCall } from '../budget/model-call-budget.js';
import { checkStepBudgets } from '../budget/step-budgets.js';
import { budgetNoteMessages } from '../budget/budget-note-message.js';
import { sessionMcpTools, withMcpTools } from '../mcp/session-mcp-tools.js';
import { prepareWorkingMemory } from '../memory/prepare-working-memory.js';
import type { ModelMessage } from '../model/model-client.js';
import { toToolResultBlock } from '../tools/tool-outcome.js';
import { BATCHED } from './batch-turn.js';
import { traceStep } from '../tracing/trace-step.js';
import { modelTurn } from './model-turn.js';
import type { StepContext } from './step-context.js';
import type { StepDeps } from './step-deps.js';
import { primeStepCheckpoint, readStepCheckpoint } from './step-checkpoint.js';
import { flushOutbox, StepEvents } from './step-events.js';
import { QueuePause, StepDeferred } from '../queue/job-signals.js';
import { takeTenantSlot, type TenantSlot } from './tenant-slot.js';
import { toolTurn } from './tool-turn.js';
import { duplicateToolUseId, hasText, isEmptyMessage, keptOfCutTurn } from './turn-content.js';

export type StepResult = 'advanced' | 'completed' | 'finished' | 'parked' | 'deferred' | 'batched' | 'stale' | 'cancelled';

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
  // The load, in one round trip: the session, its history, the step's checkpoint (known empty on a first
  // attempt of the step's own job: nothing writes a step's checkpoint before its job runs) and, when the job
  // names its tenant, the tenant slot: the job leaves its tenant's backlog and takes a running slot (under the
  // tenant's cap) before anything else.
  const firstRun = job.id === stepJobId(sessionId, step) && job.attemptsMade === 0 && (job.attemptsStarted ?? 0) <= 1;
  const early = parsed.data.tenant !== undefined ? takeTenantSlot(deps, job, parsed.data.tenant) : undefined;
  early?.catch(() => undefined);
  let loaded: [Session | undefined, HistoryWindow, StepCheckpoint];
  try {
    loaded = await Promise.all([
      sessions.get(sessionId),
      sessions.historyWindow(sessionId, parsed.data.windowFrom),
      firstRun ? StepCheckpoint.EMPTY : sessions.checkpoints.read(sessionId, step),
    ]);
  } catch (error) {
    await early?.then((slot) => slot.release()).catch(() => undefined);
    throw error;
  }
  const [session, history, checkpoint] = loaded;
  let slot = early ? await early : undefined;
  if (slot && (!session || slot.tenant !== tenantOf(session))) {
    await slot.release();
    slot = undefined;
  }
  if (!session) throw new UnrecoverableError(`session ${sessionId} not found`);
  slot ??= await takeTenantSlot(deps, job, tenantOf(session));
  try {
    return await processLoadedStep(deps, job, session, slot, { history, checkpoint });
  } finally {
    await slot.release();
  }
}

async function processLoadedStep(
  deps: StepDeps,
  job: Job,
  session: Session,
  slot: TenantSlot,
  loaded: { history: HistoryWindow; checkpoint: StepCheckpoint },
): Promise<StepResult> {
  const { sessionId, step } = job.data as StepJobData;
  const tenant = { name: slot.tenant, nextPriority: slot.nextPriority, release: slot.release };
  const sessions = deps.stores.sessions;
  const tags = { jobId: job.id, workerId: deps.workerId, agent: session.agent, ...(session.tenant ? { tenant: session.tenant } : {}) };

  const baseLogger = deps.logger.child({ sessionId, step, jobId: job.id, agent: session.agent, tenant: session.tenant });
  // A stale job is rare (a redelivery, a duplicate, a job outliving its session's end): one event makes it
  // visible in replay without costing the normal path anything.
  const emitStale = (reason: string) =>
    deps.stores.events.append({ sessionId, step, type: 'step_stale', data: { reason, status: session?.status, sessionStep: session?.step }, ...tags });
  // A retried job of a step the session has passed (or ended at) copies the events its dead attempt left in the
  // step's checkpoint outbox, however late the retry runs: the session may be steps further on by then.
  const copyLeftEvents = async () => flushOutbox(deps, sessionId, step, await sessions.checkpoints.read(sessionId, step));
  if (isTerminal(session.status) || isParked(session.status)) {
    if (session.step >= step) await copyLeftEvents();
    await emitStale(session.status);
    return 'stale';
  }
  if (session.step === step - 1 && session.status === 'running' && job.id === stepJobId(sessionId, step) && (job.attemptsStarted ?? 0) <= MAX_EARLY_STARTS) {
    // The step before went out with its commit and this job's add in one round trip, on two connections:
    // this add landed first. The commit is on its way (or its worker died and the step's retry commits it):
    // come back shortly, without using an attempt.
    await job.moveToDelayed(Date.now() + Math.min(1000, 10 * 2 ** Math.min(job.attemptsStarted ?? 0, 7)), job.token);
    throw new DelayedError();
  }
  if (session.step !== step) {
    // The job of a committed step was retried: make sure the step after it was enqueued (the outbox repair),
    // and that the events its checkpoints carried reached the global stream.
    if (session.step > step) await copyLeftEvents();
    if (session.step === step + 1 && session.status === 'running') await enqueueNext(deps, sessionId, session.step, { tenant });
    baseLogger.debug({ sessionStep: session.step }, 'stale step job');
    await emitStale('step_moved_on');
    return 'stale';
  }

  if (!slot.granted) {
    // The tenant is at its concurrency cap: this step waits alone, the rest of the fleet goes on.
    await enqueueNext(deps, sessionId, step, { delay: slot.retryMs, suffix: `t${Date.now()}`, tenant, windowFrom: sameStepWindow(job) });
    await deps.stores.events.append({ sessionId, step, type: 'step_deferred', data: { reason: 'tenant_concurrency', delayMs: slot.retryMs }, ...tags });
    return 'deferred';
  }

  const events = new StepEvents(deps, { sessionId, step, ...tags });
  let agent = deps.agents.get(session.agent);
  // MCP tools join the agent's own for this session, from the list the session discovered once.
  if (agent && agent.mcpServers.length > 0 && deps.mcp) agent = withMcpTools(agent, await sessionMcpTools(deps.stores, deps.mcp, agent, sessionId), deps.mcp);
  // The session's limits can only tighten the agent's: the producer refuses looser ones, and this clamp is
  // the defence in depth for a session written some other way.
  const { limits, clamped } = agent ? effectiveLimits(agent, session.limits) : { limits: resolveLimits(session.limits), clamped: [] };
  const ctx: StepContext = {
    deps,
    job,
    session,
    // Checked first thing in startAndRun: a missing agent ends the session there.
    agent: agent as NonNullable<typeof agent>,
    limits,
    step,
    tenant,
    logger: baseLogger,
    emit: (type, data) => {
      events.emit(type, data);
      return Promise.resolve();
    },
    events,
    history: loaded.history,
  };
  primeStepCheckpoint(ctx, loaded.checkpoint);
  if (clamped.length > 0) {
    baseLogger.warn({ clamped }, 'session limits past the agent ceiling were clamped');
    await ctx.emit('limits_clamped', { fields: clamped });
  }
  const traced = deps.tracing
    ? { stores: deps.stores, sessionId, agent: session.agent, tenant: session.tenant, step, jobId: job.id, attempt: job.attemptsMade + 1 }
    : undefined;
  let result: StepResult;
  try {
    result = await traceStep(traced, () => startAndRun(ctx));
  } catch (error) {
    await events.settle().catch(() => undefined);
    if (isRedisUnavailable(error)) return waitForRedis(ctx, error);
    throw error;
  }
  // Every event of the step is in Redis before its job completes, so a finished job implies its events; the
  // tenant slot is freed in the same round trip.
  await Promise.all([events.settle(), slot.release()]);
  return result;
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
  // Independent reads, in one round trip (the checkpoint is the one the model turn reuses).
  const history = ctx.history;
  const [budgets, checkpoint] = await Promise.all([checkStepBudgets(ctx), readStepCheckpoint(ctx)]);
  // A model call an earlier attempt checkpointed settles its tenant reservation now, whatever this attempt
  // does next: a step that ends at its budget check never reaches the model turn, and the model turn's reuse
  // of this same checkpoint does not settle it again. A batch-lane call settles at the batch rate.
  const savedModel = checkpoint.modelResponse();
  if (savedModel && session.tenant) {
    const priceFactor = checkpoint.batchResult !== undefined ? BATCH_PRICE_FACTOR : 1;
    await settleCheckpointedCall(ctx, checkpoint, JSON.parse(savedModel) as ModelMessage, priceFactor);
  }
  const budgetStop = budgets.stop;
  if (budgetStop) {
    await ctx.emit('budget_exceeded', { ...budgetStop.details });
    await finish(ctx, 'budget_exceeded', { error: budgetStop });
    return 'finished';
  }

  const memory = await prepareWorkingMemory(ctx, checkpoint, history);
  ctx.windowFrom = memory.windowFrom;
  // Append-only: a budget notice is a user message after the conversation, stored with this step's commit.
  const notes = await budgetNoteMessages(ctx, checkpoint, budgets.notes);
  const sent = { ...memory, messages: [...memory.messages, ...notes] };
  const first = await modelTurn(ctx, sent);
  // A batch-lane call waits in its queue's batch buffer; its result resumes this step as a new job.
  if (first === BATCHED) return 'batched';
  let response = first;
  if (response.stop_reason === 'refusal' && ctx.agent.fallbackModel && ctx.agent.fallbackModel !== ctx.agent.model) {
    ctx.logger.info({ fallbackModel: ctx.agent.fallbackModel }, 'model refused; asking the fallback model');
    response = directTurn(await modelTurn(ctx, sent, { model: ctx.agent.fallbackModel, call: 'fallback' }));
  }
  if (response.stop_reason === 'model_context_window_exceeded') {
    // Fold the window to half and try once more; a second overflow ends the session below.
    const reported = response.usage.input_tokens + (response.usage.cache_read_input_tokens ?? 0) + (response.usage.cache_creation_input_tokens ?? 0);
    const windowTokens = Math.max(1, Math.floor(Math.min(ctx.limits.memory.windowTokens ?? reported, reported) / 2));
    ctx.logger.warn({ reportedInputTokens: reported, windowTokens }, 'context window exceeded; folding the window and retrying once');
    const refit = await prepareWorkingMemory(ctx, checkpoint, history, { windowTokens });
    ctx.windowFrom = refit.windowFrom;
    response = directTurn(await modelTurn(ctx, { ...refit, messages: [...refit.messages, ...notes] }, { call: 'refit' }));
  }
  const assistant: ChatMessage = { role: 'assistant', content: response.content as unknown as ChatMessage['content'] };
  const duplicate = duplicateToolUseId(response.content);
  if (duplicate !== undefined) {
    // Two calls under one id would share one checkpointed result: the second would silently get the first's.
    const message = `the model named two tool_use blocks "${duplicate}" in one turn; the turn was rejected and no tool ran`;
    await finish(ctx, 'failed', { error: { code: 'model_duplicate_tool_use', message } });
    return 'finished';
  }
  if (response.stop_reason === 'max_tokens') {
    // A turn cut by the output limit: its last tool call may have lost part of its input, so none is run.
    const { kept, droppedToolUses } = keptOfCutTurn(response.content);
    if (!hasText(kept) && ctx.budgetCut) {
      // The budgets had cut max_tokens below what the turn needed: the budget ran out, not limits.maxTokensPerCall.
      const budgetStop: SessionError = {
        ...ctx.budgetCut,
        message: `${ctx.budgetCut.message}; the reply was cut at the max_tokens the budget left, before any usable content`,
      };
      await ctx.emit('budget_exceeded', { ...budgetStop.details });
      await finish(ctx, 'budget_exceeded', { error: budgetStop });
      return 'finished';
    }
    if (!hasText(kept)) {
      const message = `the model's reply was cut at max_tokens (${ctx.limits.maxTokensPerCall}) before any usable content${droppedToolUses > 0 ? `; its cut tool call was not run` : ''}; raise limits.maxTokensPerCall`;
      await finish(ctx, 'failed', { error: { code: 'model_max_tokens', message } });
      return 'finished';
    }
    const note =
      droppedToolUses > 0
        ? 'Your last reply was cut off by the output token limit and the tool call at its end was NOT run (its input may have been cut). Make that call again, with shorter input, or continue more briefly.'
        : 'Your last reply was cut off by the output token limit. Continue where you stopped, more briefly.';
    return commit(ctx, [...notes, { role: 'assistant', content: kept as unknown as ChatMessage['content'] }, { role: 'user', content: note }]);
  }
  const toolUses = response.content.filter((b): b is typeof b & ToolUseBlock => b.type === 'tool_use') as ToolUseBlock[];

  if (toolUses.length > 0) {
    const turn = await toolTurn(ctx, toolUses);
    if (turn.stop) {
      await finish(ctx, turn.stop.status, { error: turn.stop.error });
      return 'finished';
    }
    if (turn.parked > 0) return park(ctx, turn.parked, (turn.awaitingInput ?? 0) > 0 ? 'input' : 'approval');
    if (turn.deferMs !== undefined) {
      await enqueueNext(deps, session.sessionId, step, {
        delay: turn.deferMs,
        suffix: `d${Date.now()}`,
        tenant: ctx.tenant,
        windowFrom: sameStepWindow(ctx.job),
      });
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
      if (isEmptyMessage(assistant)) {
        // Nothing to send back: an empty assistant message would make the next call fail as a bad request.
        await finish(ctx, 'failed', {
          error: { code: 'model_empty_turn', message: 'the model paused its turn (stop_reason: pause_turn) with no content to resume from' },
        });
        return 'finished';
      }
      // The API resumes a paused turn when the assistant message is sent back as the last message.
      return commit(ctx, [...notes, assistant]);
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
        error: {
          code: 'model_context_window_exceeded',
          message: 'the conversation does not fit the model context window even after folding it to half; lower limits.memory.windowTokens',
        },
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
  const entries: HistoryEntry[] = messages.filter((message) => !isEmptyMessage(message)).map((message) => ({ step, message }));
  ctx.events.sendNow();
  // The commit and the next step's job go out together: one round trip. A next job that lands before the
  // commit comes back shortly (see processLoadedStep); one added for a commit that fails finds its session
  // moved on or ended and is stale.
  const [result] = await Promise.all([
    deps.stores.sessions.commitStep(session.sessionId, step, entries),
    enqueueNext(deps, session.sessionId, step + 1, { tenant: ctx.tenant, windowFrom: ctx.windowFrom }),
    ctx.tenant.release?.(),
  ]);
  if (result === 0) {
    // Stale, or our own commit seen twice: ioredis re-sends a command whose reply a Redis restart swallowed, and
    // the re-sent compare-and-set then fails. Either way the step moved on; make sure its successor is queued.
    const now = await deps.stores.sessions.get(session.sessionId);
    if (now?.status === 'running' && now.step === step + 1)
      await enqueueNext(deps, session.sessionId, step + 1, { tenant: ctx.tenant, windowFrom: ctx.windowFrom });
    return 'stale';
  }
  if (result === 2) {
    await ctx.emit('session_cancelled', { reason: 'cancelled by request' });
    return 'cancelled';
  }
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
  ctx.events.sendNow();
  const result =
    waitingFor === 'input' ? await deps.stores.questions.awaitInput(session.sessionId, step) : await deps.stores.approvals.park(session.sessionId, step);
  switch (result.kind) {
    case 'parked':
      ctx.logger.info({ pending, waitingFor }, waitingFor === 'input' ? 'session waits for input' : 'session parked for approval');
      return 'parked';
    case 'resume':
      await enqueueNext(deps, session.sessionId, step, { suffix: result.resumeSuffix, tenant: ctx.tenant, windowFrom: sameStepWindow(ctx.job) });
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
  ctx.events.sendNow();
  const finished = await ctx.deps.stores.sessions.finish(ctx.session.sessionId, {
    status,
    expectedStep: ctx.step,
    ...(options.output !== undefined ? { output: options.output } : {}),
    ...(options.error ? { error: options.error } : {}),
    ...(options.recordStep !== undefined ? { recordStep: options.recordStep } : {}),
    entries: (options.entries ?? []).filter((message) => !isEmptyMessage(message)).map((message) => ({ step: ctx.step, message })),
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
  ctx.events.sendFinal(ctx.deps.stores.sessions.retention.sessionTtlMs);
  ctx.logger.info({ status, code: options.error?.code }, 'session finished');
}

/** Decides what a failed step means: pause the fleet, retry with backoff, or end the session. */
async function handleStepError(ctx: StepContext, error: unknown): Promise<StepResult> {
  if (error instanceof QueuePause) throw error;
  if (error instanceof StepDeferred) return deferStep(ctx, error.delayMs, error.reason);
  if (AgentqError.isInstance(error) && isBudgetCode(error.code)) {
    // A call the budgets refused was never made: the session ends here; there is nothing to retry.
    const budgetStop: SessionError = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    await ctx.emit('budget_exceeded', { ...budgetStop.details });
    await finish(ctx, 'budget_exceeded', { error: budgetStop });
    return 'finished';
  }
  // Not the session's failure: processStep makes the job wait for Redis.
  if (isRedisUnavailable(error)) throw error;
  const code = AgentqError.isInstance(error) ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  const attempts = ctx.job.opts.attempts ?? 1;
  // A batch-lane call counts its attempts itself (each resumes the step as a new job) and says when it is done.
  const final = AgentqError.isInstance(error) && error.details?.final === true;
  const lastAttempt = final || ctx.job.attemptsMade + 1 >= attempts;
  if (code === 'model_rate_limited' && !final) {
    // The API said how long to wait (retry-after-ms / retry-after); without it, a second is the API's usual hint.
    const retryAfterMs = (AgentqError.isInstance(error) ? (error.details?.retryAfterMs as number | undefined) : undefined) ?? 1000;
    throw new QueuePause(retryAfterMs, `model_rate_limited: ${message}`, 429);
  }
  if (shouldRetry(code) && !lastAttempt) {
    ctx.logger.warn({ code, err: serializeError(error), attempt: ctx.job.attemptsMade + 1, attempts }, 'step failed, will retry');
    throw error;
  }
  const suffix = shouldRetry(code) && !final ? ` (after ${attempts} attempts)` : '';
  ctx.logger.error({ code, err: serializeError(error) }, 'step failed, ending session');
  await finish(ctx, 'failed', { error: { code, message: `${message}${suffix}` } });
  return 'finished';
}

/**
 * Times a step job may find the step before it not yet committed (its add overtook the commit) before it
 * counts as stale; with the backoff above that is more than a minute, past a dead worker's lock expiry.
 */
const MAX_EARLY_STARTS = 80;

/** The longest wait between two tries of a step that met a Redis write error. */
const MAX_REDIS_WAIT_MS = 60_000;

/**
 * Redis refused a write (OOM, READONLY, LOADING…) or went away: the session did nothing wrong and nothing of
 * it can be recorded now. The job waits with a backoff that grows to a minute, without using an attempt, so
 * an incident of many minutes costs no session; if even that move fails, BullMQ's own retry and then the
 * reconciler take it from there.
 */
async function waitForRedis(ctx: StepContext, error: unknown): Promise<never> {
  const { job } = ctx;
  const waitMs = Math.min(MAX_REDIS_WAIT_MS, ctx.deps.settings.stepBackoffMs * 2 ** Math.min(job.attemptsStarted, 16));
  ctx.logger.warn({ code: 'redis_unavailable', err: error instanceof Error ? error.message : String(error), waitMs }, 'Redis refused a write: step waits');
  try {
    await job.moveToDelayed(Date.now() + waitMs, job.token);
  } catch {
    throw new AgentqError('redis_unavailable', `redis_unavailable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  throw new DelayedError();
}

/**
 * Queues a step of this session with its tenant's priority; the job joins the tenant's backlog in the same
 * round trip as its add.
 */
async function enqueueNext(
  deps: StepDeps,
  sessionId: string,
  step: number,
  options: { delay?: number; suffix?: string; tenant: { name: string; nextPriority: number }; windowFrom?: number | undefined },
): Promise<void> {
  const { tenant, windowFrom, ...placement } = options;
  const jobId = stepJobId(sessionId, step, placement.suffix);
  await Promise.all([
    enqueueStep(deps.queue, sessionId, step, deps.settings, {
      ...placement,
      priority: tenant.nextPriority,
      tenant: tenant.name,
      ...(windowFrom !== undefined ? { windowFrom } : {}),
    }),
    deps.scheduler.noteQueued(tenant.name, jobId),
  ]);
  if (placement.suffix) await deps.stores.sessions.noteJob(sessionId, jobId);
}

/** Re-queues this step after `delayMs` (its tenant is over its rate-limit share): no attempt is used. */
async function deferStep(ctx: StepContext, delayMs: number, reason: string): Promise<StepResult> {
  // Spread a tenant's deferred steps over the wait, so they do not all come back at the same instant.
  const delay = Math.max(1, Math.round(delayMs * (1 + Math.random())));
  await enqueueNext(ctx.deps, ctx.session.sessionId, ctx.step, { delay, suffix: `t${Date.now()}`, tenant: ctx.tenant, windowFrom: sameStepWindow(ctx.job) });
  await ctx.emit('step_deferred', { reason, delayMs: delay });
  return 'deferred';
}

/** A re-run of the same step starts its history where this job's did: the summary only moves forward. */
function sameStepWindow(job: Job): number | undefined {
  return (job.data as StepJobData).windowFrom;
}

/** Calls made under another checkpoint field than the step's first (fallback, refit) never take the batch lane. */
function directTurn(response: ModelMessage | typeof BATCHED): ModelMessage {
  if (response === BATCHED) throw new AgentqError('internal', 'a fallback or refit model call was routed to the batch lane');
  return response;
}

function textOf(content: Array<{ type: string }>): string {
  return content
    .filter((b): b is { type: 'text'; text: string } => b.type === 'text')
    .map((b) => b.text)
    .join('');
}
