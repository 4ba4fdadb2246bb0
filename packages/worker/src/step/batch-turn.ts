import { AgentqError, serverToolMicroUsd, shouldRetry } from '@agentq/shared';
import { type StepCheckpoint } from '@agentq/shared/internal';
import type Anthropic from '@anthropic-ai/sdk';
import type { DeliveredResult } from '../batch/batch-lane.js';
import { batchCustomId } from '../batch/batch-custom-id.js';
import { BATCH_PRICE_FACTOR, batchCost } from '../batch/batch-price.js';
import { readBatchResult } from '../batch/batch-result.js';
import { admitModelCall, pricesOf, releaseAdmittedCall, settleCheckpointedCall } from '../budget/model-call-budget.js';
import type { ModelMessage } from '../model/model-client.js';
import { tokenCounts } from '../model/token-counts.js';
import type { StepContext } from './step-context.js';

/** The step's model call went into its queue's batch buffer: the job ends, and the result will resume the step. */
export const BATCHED = 'batched';

/**
 * The model call of a batch-lane step. Without a result for the current attempt, the call is admitted by the
 * budgets and parked (once per attempt) and the step ends as {@link BATCHED}: no worker waits. When the poller
 * has delivered the result, a success becomes the step's model checkpoint with usage priced at the batch rate;
 * an error, an expiry or a cancellation is classified as the direct call's would be and either parks the call
 * again (a retryable code, while attempts remain) or ends the session.
 */
export async function batchTurn(
  ctx: StepContext,
  checkpoint: StepCheckpoint,
  params: Anthropic.MessageCreateParamsNonStreaming,
  /** Estimated tokens of the prompt, when a window sized it: saved with the result for the next step's calibration. */
  promptEstimate?: number,
): Promise<ModelMessage | typeof BATCHED> {
  const { deps, session, step } = ctx;
  const sessionId = session.sessionId;
  const attempt = checkpoint.batchAttempt;
  const customId = batchCustomId(sessionId, step, attempt);
  const raw = checkpoint.batchResult;
  const delivered = raw ? (JSON.parse(raw) as DeliveredResult) : undefined;
  if (!delivered || delivered.customId !== customId) return park(ctx, params, attempt);

  const outcome = readBatchResult(delivered.result);
  if (outcome.ok) {
    const counts = tokenCounts(outcome.message.usage);
    // Tokens at the batch rate; server tools (searches, container time) at their own, undiscounted.
    const tokens = batchCost(outcome.message.model ?? params.model, counts, pricesOf(ctx));
    const server = serverToolMicroUsd(outcome.message);
    const cost = { costMicroUsd: tokens.costMicroUsd + server, fullMicroUsd: tokens.fullMicroUsd + server };
    const { stored, counted } = await deps.stores.sessions.checkpoints.saveModelCall(
      sessionId,
      step,
      'model',
      JSON.stringify(outcome.message),
      { ...counts, costMicroUsd: cost.costMicroUsd },
      undefined,
      { promptEstimate },
    );
    const message = JSON.parse(stored) as ModelMessage;
    await settleCheckpointedCall(ctx, checkpoint, message, BATCH_PRICE_FACTOR);
    if (counted) {
      await ctx.emit('model_call', {
        model: params.model,
        lane: 'batch',
        batchAttempt: attempt,
        stopReason: message.stop_reason,
        usage: { ...counts, costUsd: cost.costMicroUsd / 1_000_000 },
        savedUsd: (cost.fullMicroUsd - cost.costMicroUsd) / 1_000_000,
        requestId: null,
      });
    }
    return message;
  }

  const cls = outcome.error;
  await ctx.emit('model_error', {
    model: params.model,
    lane: 'batch',
    code: cls.code,
    status: cls.status ?? null,
    reason: cls.code,
    message: cls.message,
    batchAttempt: attempt,
  });
  ctx.logger.warn({ code: cls.code, status: cls.status, msg: cls.message, attempt }, 'batch-lane model call failed');
  // The failed call used nothing: its tenant reservation goes back (a re-park reserves again).
  await releaseAdmittedCall(ctx, checkpoint);
  const retry = shouldRetry(cls.code);
  if (retry && attempt + 1 < deps.settings.stepAttempts) {
    await deps.stores.sessions.checkpoints.setBatchAttempt(sessionId, step, attempt + 1);
    return park(ctx, params, attempt + 1);
  }
  throw new AgentqError(cls.code, retry ? `${cls.message} (after ${attempt + 1} batch attempts)` : cls.message, {
    details: { status: cls.status, final: true },
  });
}

async function park(ctx: StepContext, params: Anthropic.MessageCreateParamsNonStreaming, attempt: number): Promise<typeof BATCHED> {
  const { deps, session, step } = ctx;
  if (!deps.batch) throw new AgentqError('config_invalid', 'a batch-lane session reached a step runner without a batch lane');
  const budget = await admitModelCall(ctx, params);
  params.max_tokens = budget.maxTokens;
  const customId = batchCustomId(session.sessionId, step, attempt);
  const { parked, pending } = await deps.batch.park(customId, { sessionId: session.sessionId, step, attempt, params });
  if (parked) await ctx.emit('batch_parked', { customId, attempt, pending, model: params.model });
  ctx.logger.debug({ customId, pending }, 'model call parked in the batch lane');
  return BATCHED;
}
