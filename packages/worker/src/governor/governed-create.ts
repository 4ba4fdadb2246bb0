import { type AgentEventType, estimateInputTokens, type EventData, type Logger } from '@agentq/shared';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParams, ModelCallResult, ModelClient, TextListener } from '../model/model-client.js';
import { StepDeferred } from '../queue/job-signals.js';
import { sleep } from '../time/sleep.js';
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
  emit<T extends AgentEventType>(type: T, data: EventData<T>): Promise<void>;
  /**
   * The budgets' admission of this call, awaited together with the governor's reservation (one round trip
   * for both); it may still cut `params.max_tokens`. A refused admission gives the reservation back.
   * @defaultValue none
   */
  admitted?: Promise<unknown> | undefined;
  /** The request's estimated input tokens when the caller has it already. @defaultValue estimated here */
  estimatedInput?: number | undefined;
  /**
   * Takes the settle of a successful call instead of awaiting it, so it goes out beside the step's model
   * checkpoint; the promise never rejects. @defaultValue the call awaits its settle
   */
  settleLater?: ((settling: Promise<void>) => void) | undefined;
}

/**
 * One model call paced by the fleet-wide governor: reserve → (sleep a short wait in place) → call → settle
 * with the real usage and the rate-limit headers, on success and on failure alike. A wait longer than the
 * governor's inline limit throws {@link StepDeferred}: this step alone is re-queued for the refill time,
 * without using an attempt, whether the tenant's own share or the fleet-wide bucket is short. The governor
 * never pauses the queue: its buckets are an estimate every step checks for itself, and a queue-wide pause
 * would also stop steps that need no model call (tool results, approvals) and other model families. Only a
 * real provider 429 pauses the queue (see handleStepError). Step turns and summary calls both use this.
 */
export async function governedCreate(options: GovernedCreateOptions): Promise<ModelCallResult> {
  const { governor, params, signal, logger } = options;
  if (!governor) {
    await options.admitted;
    return options.model.create(params, signal, options.onText, options.conversationId);
  }
  const acquiring = governor.acquire({
    model: params.model,
    estimatedInput: options.estimatedInput ?? estimateInputTokens(params),
    maxTokens: params.max_tokens,
    tenant: options.tenant,
  });
  const [reservation, admission] = await Promise.allSettled([acquiring, options.admitted]);
  if (admission.status === 'rejected') {
    // The budgets refused the call: it is never made, and a permit the governor granted goes back at once.
    if (reservation.status === 'fulfilled' && reservation.value.granted)
      await governor.settle(reservation.value.permit, { sent: false }).catch(() => undefined);
    throw admission.reason;
  }
  if (reservation.status === 'rejected') throw reservation.reason;
  const acquired = reservation.value;
  if (!acquired.granted) {
    // Over a tenant's share or the fleet's bucket: only this step waits (re-queued delayed); other steps keep flowing.
    await options.emit('governor_wait', { waitMs: acquired.waitMs, reason: acquired.reason, status: null, mode: 'defer', model: params.model });
    logger.debug({ waitMs: acquired.waitMs, reason: acquired.reason, model: params.model }, 'governor: no capacity for this call, deferring the step');
    throw new StepDeferred(acquired.waitMs, `governor: ${acquired.reason}`);
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
    const settling = settle({ usage: result.message.usage, headers: result.headers, status: 200 });
    if (options.settleLater) options.settleLater(settling);
    else await settling;
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
