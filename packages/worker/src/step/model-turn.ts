import {
  AgentqError,
  type ChatMessage,
  costMicroUsd,
  estimateInputTokens,
  type LoopCall,
  type LoopLimits,
  type LoopVerdict,
  serverToolMicroUsd,
  type ToolUseBlock,
} from '@agentq/shared';
import { type LoopTurnRequest, loopTurnRequest, type ModelCall } from '@agentq/shared/internal';
import { admitModelCall, type CallBudget, pricesOf, settleCheckpointedCall } from '../budget/model-call-budget.js';
import { governedCreate } from '../governor/governed-create.js';
import { buildMessageRequest, MIN_THINKING_BUDGET } from '../model/build-message-request.js';
import { cacheMissReason } from '../model/cache-miss.js';
import { classifyModelError } from '../model/classify-model-error.js';
import type { ModelMessage } from '../model/model-client.js';
import { tokenCounts } from '../model/token-counts.js';
import type { PendingTurnCheckpoint } from '../tools/tool-guard.js';
import { traceChat } from '../tracing/trace-chat.js';
import { type BATCHED, batchTurn } from './batch-turn.js';
import type { StepContext } from './step-context.js';
import { readStepCheckpoint } from './step-checkpoint.js';
import { QueuePause, StepDeferred } from '../queue/job-signals.js';
import { prepareToolChecks } from './tool-turn.js';
import { duplicateToolUseId } from './turn-content.js';

/** What the step sends: working memory (messages, summary notes) and how the prefix moved this step. */
export interface TurnInput {
  systemNotes: readonly string[];
  messages: readonly ChatMessage[];
  dropStaleThinking?: boolean | undefined;
  folded?: boolean | undefined;
  /** Estimated tokens of the prompt, when a window sized it (see WorkingMemory). */
  promptEstimate?: number | undefined;
}

export interface TurnOptions {
  /** Another model than the agent's (the refusal fallback). */
  model?: string;
  /** Which of the step's model calls this is (its checkpoint and usage guard follow). @defaultValue 'model' */
  call?: ModelCall;
}

/**
 * The step's model call, made at most once: a retried step reuses the checkpointed response, and usage is
 * counted once however often the job runs. A batch-lane session's call goes through {@link batchTurn} instead,
 * which may park it and answer {@link BATCHED}.
 */
export async function modelTurn(ctx: StepContext, input: TurnInput, options: TurnOptions = {}): Promise<ModelMessage | typeof BATCHED> {
  const { deps, session, step } = ctx;
  const call = options.call ?? 'model';
  const checkpoint = await readStepCheckpoint(ctx);
  const saved = checkpoint.modelResponse(call);
  delete ctx.budgetCut;
  if (saved) {
    ctx.logger.debug('reusing checkpointed model response');
    // The step's first call was settled by runStep from this same checkpoint snapshot: settling it here again
    // was a second round trip on every retried or resumed step (a no-op, but not free).
    if (call === 'model') return JSON.parse(saved) as ModelMessage;
    return settleCheckpointedCall(ctx, checkpoint, JSON.parse(saved) as ModelMessage, 1, call);
  }
  const { params, gatedServerTools } = buildMessageRequest({
    agent: ctx.agent,
    limits: ctx.limits,
    ...(options.model ? { model: options.model } : {}),
    systemNotes: input.systemNotes,
    messages: input.messages,
    maxTokens: ctx.limits.maxTokensPerCall,
    tenant: session.tenant,
    dropStaleThinking: input.dropStaleThinking === true,
  });
  if (gatedServerTools.length > 0)
    ctx.logger.info({ gatedServerTools, maxAutoRisk: ctx.limits.maxAutoRisk }, 'server tools above maxAutoRisk left out of the request');

  // The step's own call leaves the next step its token calibration; a fallback or refit call does not.
  const promptEstimate = call === 'model' ? input.promptEstimate : undefined;
  if (call === 'model' && (session.urgency ?? ctx.agent.urgency) === 'batch') return batchTurn(ctx, checkpoint, params, promptEstimate);

  // The budgets admit the call while the governor reserves for it (one round trip): a call the budgets refuse
  // is never made, and its permit goes straight back.
  let budget: CallBudget | undefined;
  let admissionFailed = false;
  // One estimate for both. The history's messages are not serialized for it: their lengths came with the load.
  const estimatedInput = estimateInputTokens(params, ctx.history.messageChars);
  const admitted = admitModelCall(ctx, params, call, estimatedInput).then(
    (admittedBudget) => {
      budget = admittedBudget;
      params.max_tokens = admittedBudget.maxTokens;
      if (admittedBudget.cutBy) ctx.budgetCut = admittedBudget.cutBy;
      fitThinkingBudget(params);
    },
    (error: unknown) => {
      admissionFailed = true;
      throw error;
    },
  );
  admitted.catch(() => undefined);

  // Token streaming: deltas go out as they come, in order on the connection; the step waits for them once.
  const deltaWrites: Array<Promise<void>> = [];
  const onText = ctx.agent.stream
    ? (index: number, text: string) => void deltaWrites.push(deps.stores.deltas.append({ sessionId: session.sessionId, step, index, text }))
    : undefined;
  let result;
  try {
    const traced = deps.tracing ? { sessionId: session.sessionId, model: params.model, maxTokens: params.max_tokens } : undefined;
    result = await traceChat(traced, () =>
      governedCreate({
        model: deps.model,
        governor: deps.governor,
        params,
        tenant: ctx.session.tenant,
        signal: deps.shutdownSignal,
        logger: ctx.logger,
        onText,
        conversationId: session.sessionId,
        emit: (type, data) => ctx.emit(type, data),
        admitted,
        estimatedInput,
        settleLater: (settling) => ctx.events.track(settling),
      }),
    );
  } catch (error) {
    await Promise.all(deltaWrites);
    // A call the budgets refused was never made: its error goes up as it is.
    if (admissionFailed) throw error;
    await budget?.release();
    if (error instanceof QueuePause || error instanceof StepDeferred) throw error;
    const cls = classifyModelError(error);
    await ctx.emit('model_error', {
      model: params.model,
      code: cls.code,
      status: cls.status ?? null,
      reason: cls.code,
      waitMs: cls.retryAfterMs ?? null,
      message: cls.message,
      retryAfterMs: cls.retryAfterMs,
    });
    ctx.logger.warn({ code: cls.code, status: cls.status, waitMs: cls.retryAfterMs, msg: cls.message }, 'model call failed');
    throw new AgentqError(cls.code, cls.message, { cause: error, details: { status: cls.status, retryAfterMs: cls.retryAfterMs } });
  }
  await Promise.all(deltaWrites);
  if (!budget) throw new AgentqError('internal', 'a model call was made without its budget admission');
  const admittedBudget: CallBudget = budget;
  // Checkpoint and usage in one script: a worker killed after this line never pays for the call again.
  let message: ModelMessage;
  try {
    const counts = tokenCounts(result.message.usage);
    // Server tools bill on top of tokens (web search per use, code execution per container time); their blocks stay in the content as received.
    const cost = costMicroUsd(result.message.model ?? params.model, counts, pricesOf(ctx)) + serverToolMicroUsd(result.message);
    // The call's own events are written by the script with the checkpoint, only by the writer that counted it.
    const own: Parameters<typeof ctx.events.forCheckpoint>[0] = [];
    if (result.usageClamped) {
      own.push({ type: 'usage_clamped', data: { model: params.model, sent: result.usageClamped, counted: counts, requestId: result.requestId } });
      ctx.logger.warn({ sent: result.usageClamped, requestId: result.requestId }, 'model usage was impossible: clamped');
    }
    own.push({
      type: 'model_call',
      data: {
        model: params.model,
        latencyMs: result.latencyMs,
        stopReason: result.message.stop_reason,
        usage: { ...counts, costUsd: cost / 1_000_000 },
        requestId: result.requestId,
      },
    });
    const events = ctx.events.forCheckpoint(own);
    // The guards' reads for this turn's tool calls go out with its checkpoint, the loop check inside it (a turn
    // cut at max_tokens runs none).
    const pending = pendingTurnCheckpoint();
    if (result.message.stop_reason !== 'max_tokens' && duplicateToolUseId(result.message.content) === undefined) {
      prepareToolChecks(ctx, result.message.content.filter((b): b is typeof b & ToolUseBlock => b.type === 'tool_use') as ToolUseBlock[], pending);
    }
    let saved;
    try {
      saved = await deps.stores.sessions.checkpoints.saveModelCall(
        session.sessionId,
        step,
        call,
        JSON.stringify(result.message),
        { ...counts, costMicroUsd: cost },
        events,
        { promptEstimate, loop: pending.loop },
      );
    } finally {
      pending.checked(saved?.loop);
    }
    const { stored, counted } = saved;
    ctx.events.afterCheckpoint(events, counted);
    message = JSON.parse(stored) as ModelMessage;
    await admittedBudget.settle(counts, cost);
    const miss = cacheMissReason({ step, usage: message.usage, folded: input.folded === true, modelChanged: options.model !== undefined });
    if (miss) ctx.logger.info({ cacheMiss: miss, inputTokens: counts.inputTokens, cacheWriteTokens: counts.cacheWriteTokens }, 'prompt cache miss');
    const dropped = (message as ModelMessage & { input_transformations?: unknown[] }).input_transformations;
    if (dropped && dropped.length > 0) ctx.logger.info({ dropped }, 'the API dropped thinking blocks whose prefix a fold changed');
  } catch (error) {
    // Never leave the tenant reservation held to its expiry: a retry that finds the checkpoint settles anew.
    await admittedBudget.release().catch(() => undefined);
    throw error;
  }
  return message;
}

/** The turn's checkpoint as the guards see it before it is written, and what they added to it. */
function pendingTurnCheckpoint(): PendingTurnCheckpoint & { loop?: LoopTurnRequest; checked(verdicts: LoopVerdict[] | undefined): void } {
  let answer: (verdicts: LoopVerdict[] | undefined) => void = () => undefined;
  const verdicts = new Promise<LoopVerdict[] | undefined>((resolve) => (answer = resolve));
  const pending = {
    loop: undefined as LoopTurnRequest | undefined,
    loopCheck(calls: readonly LoopCall[], limits: LoopLimits) {
      pending.loop = loopTurnRequest(calls, limits);
      return verdicts;
    },
    checked: (loop: LoopVerdict[] | undefined) => answer(loop),
  };
  return pending;
}

/** A budget-cut `max_tokens` narrows manual thinking with it (the API wants budget_tokens < max_tokens). */
function fitThinkingBudget(params: { max_tokens: number; thinking?: { type: string; budget_tokens?: number } | undefined }): void {
  const thinking = params.thinking;
  if (thinking?.type !== 'enabled' || thinking.budget_tokens === undefined) return;
  if (thinking.budget_tokens < params.max_tokens) return;
  if (params.max_tokens > MIN_THINKING_BUDGET) thinking.budget_tokens = params.max_tokens - 1;
  // Too little left to think at all: the call answers without manual thinking.
  else params.thinking = { type: 'disabled' };
}
