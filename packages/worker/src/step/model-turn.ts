import { AgentqError, type ChatMessage, costMicroUsd } from '@agentq/shared';
import type Anthropic from '@anthropic-ai/sdk';
import { admitModelCall, pricesOf, settleCheckpointedCall } from '../budget/model-call-budget.js';
import { governedCreate } from '../governor/governed-create.js';
import { classifyModelError } from '../model/classify-model-error.js';
import type { ModelMessage } from '../model/model-client.js';
import { tokenCounts } from '../model/token-counts.js';
import type { StepContext } from './step-context.js';
import { BATCH_RESULT_FIELD } from '../batch/batch-lane.js';
import { BATCH_PRICE_FACTOR } from '../batch/batch-price.js';
import { type BATCHED, batchTurn } from './batch-turn.js';
import { MODEL_CHECKPOINT_FIELD, MODEL_USAGE_GUARD, readStepCheckpoint } from './step-checkpoint.js';
import { QueuePause, StepDeferred } from './step-signals.js';


/**
 * The step's model call, made at most once: a retried step reuses the checkpointed response, and usage is
 * counted once however often the job runs. A batch-lane session's call goes through {@link batchTurn} instead,
 * which may park it and answer {@link BATCHED}.
 */
export async function modelTurn(
  ctx: StepContext,
  system: string,
  messages: ChatMessage[],
  systemNotes: string[] = [],
): Promise<ModelMessage | typeof BATCHED> {
  const { deps, session, step } = ctx;
  const checkpoint = await readStepCheckpoint(ctx);
  const saved = checkpoint[MODEL_CHECKPOINT_FIELD];
  if (saved) {
    ctx.logger.debug('reusing checkpointed model response');
    const priceFactor = checkpoint[BATCH_RESULT_FIELD] === undefined ? 1 : BATCH_PRICE_FACTOR;
    return settleCheckpointedCall(ctx, checkpoint, JSON.parse(saved) as ModelMessage, priceFactor);
  }
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: ctx.agent.model,
    max_tokens: ctx.limits.maxTokensPerCall,
    // Notes (the rolling summary) change between steps: they follow the cached block, never precede it.
    system: [
      { type: 'text', text: system, cache_control: { type: 'ephemeral' } },
      ...(systemNotes.length > 0 ? [{ type: 'text' as const, text: systemNotes.join('\n\n') }] : []),
    ],
    messages: messages as Anthropic.MessageParam[],
  };
  const tools = [...ctx.agent.tools.values()].map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
  }));
  if (tools.length > 0) {
    const last = tools.length - 1;
    params.tools = tools.map((tool, i) => (i === last ? { ...tool, cache_control: { type: 'ephemeral' as const } } : tool));
  }

  if ((session.urgency ?? ctx.agent.urgency) === 'batch') return batchTurn(ctx, checkpoint, params);

  // Budgets before the governor: a call the budgets refuse never takes a rate-limit permit.
  const budget = await admitModelCall(ctx, params);
  params.max_tokens = budget.maxTokens;

  // Token streaming: deltas go out as they come, in order on the connection; the step waits for them once.
  const deltaWrites: Array<Promise<void>> = [];
  const onText = ctx.agent.stream
    ? (index: number, text: string) => void deltaWrites.push(deps.stores.deltas.append({ sessionId: session.sessionId, step, index, text }))
    : undefined;
  let result;
  try {
    result = await governedCreate({
      model: deps.model,
      governor: deps.governor,
      params,
      tenant: ctx.session.tenant,
      signal: deps.shutdownSignal,
      logger: ctx.logger,
      onText,
      emit: (type, data) => ctx.emit(type, data),
    });
  } catch (error) {
    await Promise.all(deltaWrites);
    await budget.release();
    // Rate-limit signals pass through untouched: the step handler pauses the queue or defers this tenant's step.
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
  // Checkpoint and usage in one script: a worker killed after this line never pays for the call again.
  let message: ModelMessage;
  try {
    const counts = tokenCounts(result.message.usage);
    const cost = costMicroUsd(result.message.model ?? params.model, counts, pricesOf(ctx));
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
    const { stored, counted } = await deps.stores.sessions.saveModelTurn(
      session.sessionId,
      step,
      { response: MODEL_CHECKPOINT_FIELD, value: JSON.stringify(result.message), usageGuard: MODEL_USAGE_GUARD },
      { ...counts, costMicroUsd: cost },
      events,
    );
    ctx.events.afterCheckpoint(events, counted);
    message = JSON.parse(stored) as ModelMessage;
    await budget.settle(counts, cost);
  } catch (error) {
    // Never leave the tenant reservation held to its expiry: a retry that finds the checkpoint settles anew.
    await budget.release().catch(() => undefined);
    throw error;
  }
  return message;
}
