import {
  type BudgetCode,
  BudgetExceededError,
  type CallEstimate,
  costMicroUsd,
  AgentqError,
  DEFAULT_PRICES,
  estimateInputTokens,
  lookupPrice,
  type ModelPrice,
  serverToolMicroUsd,
  type SessionError,
  type TokenCounts,
  utcDay,
} from '@agentq/shared';
import { type ModelCall, modelCallId, type StepCheckpoint } from '@agentq/shared/internal';
import type Anthropic from '@anthropic-ai/sdk';
import { tokenCounts } from '../model/token-counts.js';
import type { BudgetContext, PriceSettings } from './budget-context.js';

/** A model call admitted by the session and tenant budgets, with the `max_tokens` they leave it. */
export interface CallBudget {
  maxTokens: number;
  /** The budget that cut `max_tokens` below the request, as the error a turn cut there ends the session with. */
  cutBy?: SessionError & { code: BudgetCode };
  estimatedInputTokens: number;
  /** Replaces the tenant reservation by the call's real usage (once per step, however often it runs). */
  settle(usage: TokenCounts, costMicroUsd: number): Promise<void>;
  /** Gives the tenant reservation back: the call failed and counted nothing. */
  release(): Promise<void>;
}

/** One reservation id per model call of a step, stable across its attempts. */
const reservationId = (ctx: BudgetContext, call: ModelCall = 'model') => modelCallId(ctx.session.sessionId, ctx.step, call);

/**
 * Admits the step's model call before it is made: the session's token and cost budgets (`max_tokens` cut to
 * what they leave), then a reservation of estimated input + `max_tokens` against the tenant's daily budget.
 * A call that cannot fit is not made: this throws {@link BudgetExceededError} naming the budget.
 */
export async function admitModelCall(
  ctx: BudgetContext,
  params: Anthropic.MessageCreateParamsNonStreaming,
  call: ModelCall = 'model',
  estimatedInput: number = estimateInputTokens(params),
): Promise<CallBudget> {
  const { deps, session } = ctx;
  const { ledger } = deps;
  const estimate: CallEstimate = {
    model: params.model,
    price: checkedPrice(ctx, params.model),
    inputTokens: estimatedInput,
    maxTokens: params.max_tokens,
  };
  const admitted = await ledger.admitSession(session.sessionId, ctx.limits, estimate);
  if (!admitted.ok) throw new BudgetExceededError(admitted.error);
  const tenant = session.tenant;
  if (!tenant) {
    return {
      maxTokens: admitted.maxTokens,
      ...cut(admitted.cutBy),
      estimatedInputTokens: estimate.inputTokens,
      settle: async () => {},
      release: async () => {},
    };
  }
  // The day is pinned in the checkpoint so a call that straddles midnight settles where it was reserved.
  const day = await deps.stores.sessions.checkpoints.pinBudgetDay(session.sessionId, ctx.step, utcDay());
  const id = reservationId(ctx, call);
  const reserved = await ledger.reserveTenant(tenant, day, id, { ...estimate, maxTokens: admitted.maxTokens });
  if (!reserved.ok) throw new BudgetExceededError(reserved.error);
  return {
    maxTokens: reserved.maxTokens,
    // The tenant's budget cut what the session's left when it names itself; otherwise the session's cut stands.
    ...cut(reserved.cutBy ?? admitted.cutBy),
    estimatedInputTokens: estimate.inputTokens,
    settle: async (usage, cost) => {
      await ledger.settleTenant(tenant, day, id, usage, cost);
    },
    release: () => ledger.releaseTenant(tenant, day, id),
  };
}

const cut = (cutBy: (SessionError & { code: BudgetCode }) | undefined) => (cutBy ? { cutBy } : {});

const warnedUnpriced = new Set<string>();

/**
 * The price a call is admitted at. An unknown model is charged the highest rate in the table (warned once
 * per process and model), or refused when the worker is set to (`AGENTQ_UNKNOWN_MODELS=refuse`).
 */
export function checkedPrice(ctx: BudgetContext, model: string): ModelPrice {
  const found = lookupPrice(model, pricesOf(ctx));
  if (found.known) return found.price;
  if (ctx.deps.settings.unknownModels === 'refuse') {
    throw new AgentqError('model_unpriced', `model ${model} has no price; add it to AGENTQ_PRICES (or step.prices) or set AGENTQ_UNKNOWN_MODELS=highest`);
  }
  if (!warnedUnpriced.has(model)) {
    warnedUnpriced.add(model);
    ctx.logger.warn({ model, price: found.price }, 'model has no price: charging the highest known rate; add it to AGENTQ_PRICES');
  }
  return found.price;
}

/** The price table of this worker: the built-in one with `settings.prices` laid over it. */
export function pricesOf(ctx: { deps: { settings: PriceSettings } }): Record<string, ModelPrice> {
  const custom = ctx.deps.settings.prices;
  return custom ? { ...DEFAULT_PRICES, ...custom } : DEFAULT_PRICES;
}

/**
 * For a response checkpointed by an earlier attempt of the step: settles its tenant reservation (a no-op when
 * that attempt already did) and returns the response.
 */
export async function settleCheckpointedCall<M extends { model?: string; usage: Anthropic.Usage; content?: ReadonlyArray<{ type: string }> }>(
  ctx: BudgetContext,
  checkpoint: StepCheckpoint,
  message: M,
  /** The checkpointed call's price relative to a direct call (batch-lane calls bill at half). @defaultValue 1 */
  priceFactor = 1,
  call: ModelCall = 'model',
): Promise<M> {
  const tenant = ctx.session.tenant;
  if (!tenant) return message;
  const usage: TokenCounts = tokenCounts(message.usage);
  // The price the call was first settled at: tokens at the call's rate, server tools on top at their own.
  const cost = Math.ceil(costMicroUsd(message.model ?? ctx.agent.model, usage, pricesOf(ctx)) * priceFactor) + serverToolMicroUsd(message);
  const day = checkpoint.budgetDay ?? utcDay();
  await ctx.deps.ledger.settleTenant(tenant, day, reservationId(ctx, call), usage, cost);
  return message;
}

/**
 * Gives back the tenant reservation of a call an earlier job of the step admitted and that ended without
 * usage (a batch-lane call whose result was an error); a no-op without a tenant or a reservation.
 */
export async function releaseAdmittedCall(ctx: BudgetContext, checkpoint: StepCheckpoint): Promise<void> {
  const tenant = ctx.session.tenant;
  const day = checkpoint.budgetDay;
  if (!tenant || !day) return;
  await ctx.deps.ledger.releaseTenant(tenant, day, reservationId(ctx));
}
