import type { AgentEventType, Logger } from '@agentq/shared';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParams, ModelCallResult, ModelClient, TextListener } from '../model/model-client.js';
import { QueuePause, StepDeferred } from '../step/step-signals.js';
import { sleep } from '../tools/backoff.js';
import { estimateInputTokens } from './estimate-input-tokens.js';
import type { Governor, SettleOutcome } from './governor.js';

export interface GovernedCreateOptions {
  model: ModelClient;
  /** Without a governor the call goes straight out. */
  governor: Governor | undefined;
  params: MessageCreateParams;
  tenant?: string | undefined;
  /** Aborts the call and any wait for its reservation (worker shutdown). */
  signal?: AbortSignal | undefined;
  logger: Logger;
  /** Streams the call and hands over its text deltas. @defaultValue none (a plain call) */
  onText?: TextListener | undefined;
  /** The session id, for the SDK's own spans (`gen_ai.conversation.id`). */
  conversationId?: string | undefined;
  /** Records a `governor_wait` event of the step. */
  emit(type: AgentEventType, data: Record<string, unknown>): Promise<void>;
}

/**
 * One model call paced by the fleet-wide governor: reserve → (sleep a short wait in place) → call → settle
 * with the real usage and the rate-limit headers, on success and on failure alike. A wait longer than the
 * governor's inline limit throws {@link QueuePause}: the whole queue pauses for exactly the refill time and
 * this step's job goes back to wait without using an attempt, unless only the tenant's own share is short:
 * then {@link StepDeferred} re-queues this tenant's step alone. Step turns and summary calls both use this.
 */
export async function governedCreate(options: GovernedCreateOptions): Promise<ModelCallResult> {
  const { governor, params, signal, logger } = options;
  if (!governor) return options.model.create(params, signal, options.onText, options.conversationId);
  const acquired = await governor.acquire({
    model: params.model,
    estimatedInput: estimateInputTokens(params),
    maxTokens: params.max_tokens,
    tenant: options.tenant,
  });
  if (!acquired.granted && acquired.reason.startsWith('tenant_')) {
    // Over its own share: only this tenant's step waits (re-queued delayed); every other tenant keeps flowing.
    await options.emit('governor_wait', { waitMs: acquired.waitMs, reason: acquired.reason, status: null, mode: 'defer', model: params.model });
    logger.debug({ waitMs: acquired.waitMs, reason: acquired.reason, model: params.model }, 'governor: tenant over its share, deferring the step');
    throw new StepDeferred(acquired.waitMs, `governor: ${acquired.reason}`);
  }
  if (!acquired.granted) {
    await options.emit('governor_wait', { waitMs: acquired.waitMs, reason: acquired.reason, status: null, mode: 'pause', model: params.model });
    logger.info({ waitMs: acquired.waitMs, reason: acquired.reason, model: params.model }, 'governor: no capacity, pausing the queue');
    throw new QueuePause(acquired.waitMs, `governor: ${acquired.reason}`);
  }
  const permit = acquired.permit;
  const settle = async (outcome: SettleOutcome): Promise<void> => {
    try {
      await governor.settle(permit, outcome);
    } catch (error) {
      // A lost settle only leaves a reservation unrefunded until the bucket refills; the call itself stands.
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'governor: settle failed');
    }
  };
  let sent = false;
  try {
    if (permit.waitMs > 0) {
      await options.emit('governor_wait', { waitMs: permit.waitMs, reason: permit.reason ?? null, status: null, mode: 'inline', model: params.model });
      logger.debug({ waitMs: permit.waitMs, reason: permit.reason }, 'governor: waiting in place for a reservation');
      await sleep(permit.waitMs, signal);
    }
    sent = true;
    const result = await options.model.create(params, signal, options.onText, options.conversationId);
    await settle({ usage: result.message.usage, headers: result.headers, status: 200 });
    return result;
  } catch (error) {
    if (error instanceof Anthropic.APIError && !(error instanceof Anthropic.APIConnectionError)) {
      await settle({ status: error.status, headers: error.headers });
    } else {
      await settle({ sent });
    }
    throw error;
  }
}
